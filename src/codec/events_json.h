// Events on the wire: each event type's `data` as camelCase JSON, and the
// CloudEvents 1.0 structured-mode envelope around it.
//
// Times inside `data` are RFC 3339 strings (ISO 8601, UTC, milliseconds); money
// is integer minor units. Decoders are strict: a missing field, a wrong type or
// an unknown field in the brief's three schemas is kInvalidArgument naming it.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "core/events.h"
#include "core/model.h"

namespace of::codec {

std::string encode(const core::OrderCreatedData& data);
std::string encode(const core::InventoryReservedData& data);
std::string encode(const core::PaymentCompletedData& data);
std::string encode(const core::InventoryReservationFailedData& data);
std::string encode(const core::InventoryReleasedData& data);
std::string encode(const core::PaymentFailedData& data);
std::string encode(const core::OrderShippedData& data);
std::string encode(const core::OrderDeliveredData& data);
std::string encode(const core::OrderCancelledData& data);
std::string encode(const core::RefundCompletedData& data);
std::string encode(const core::OrderStatusChangedData& data);
std::string encode(const core::LowStockData& data);
std::string encode(const core::NotificationSentData& data);
std::string encode(const core::NotificationFailedData& data);

Result<core::OrderCreatedData> decode_order_created(std::string_view json);
Result<core::InventoryReservedData> decode_inventory_reserved(std::string_view json);
Result<core::PaymentCompletedData> decode_payment_completed(std::string_view json);
Result<core::InventoryReleasedData> decode_inventory_released(std::string_view json);
Result<core::PaymentFailedData> decode_payment_failed(std::string_view json);
Result<core::OrderShippedData> decode_order_shipped(std::string_view json);
Result<core::OrderStatusChangedData> decode_order_status_changed(std::string_view json);

// {"specversion":"1.0","id":...,"source":...,"type":...,"subject":...,"time":...,
//  "datacontenttype":"application/json","traceparent":...,"sequence":"<seq>","data":{...}}
// (`sequence` follows the CloudEvents sequence extension; omitted when seq is 0).
std::string encode_cloud_event(const core::Event& event);
Result<core::Event> decode_cloud_event(std::string_view json);

}  // namespace of::codec
