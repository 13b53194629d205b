// The event catalogue: type names and the `data` of each event type.
//
// OrderCreated, InventoryReserved and PaymentCompleted carry exactly the fields
// of the brief's message schemas; money is integer minor units. The wire form
// (camelCase JSON inside a CloudEvents 1.0 envelope) lives in codec/events_json.h;
// docs/events.md lists producers and consumers. Pure values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"

namespace of::core {

namespace event_type {
inline constexpr std::string_view kOrderCreated = "OrderCreated";
inline constexpr std::string_view kOrderStatusChanged = "OrderStatusChanged";
inline constexpr std::string_view kInventoryReserved = "InventoryReserved";
inline constexpr std::string_view kInventoryReservationFailed = "InventoryReservationFailed";
inline constexpr std::string_view kInventoryReleased = "InventoryReleased";
inline constexpr std::string_view kPaymentCompleted = "PaymentCompleted";
inline constexpr std::string_view kPaymentFailed = "PaymentFailed";
inline constexpr std::string_view kOrderShipped = "OrderShipped";
inline constexpr std::string_view kOrderDelivered = "OrderDelivered";
inline constexpr std::string_view kOrderCancelled = "OrderCancelled";
inline constexpr std::string_view kRefundCompleted = "RefundCompleted";
inline constexpr std::string_view kLowStock = "LowStock";
inline constexpr std::string_view kNotificationSent = "NotificationSent";
inline constexpr std::string_view kNotificationFailed = "NotificationFailed";
inline constexpr std::string_view kAnomalyDetected = "AnomalyDetected";
}  // namespace event_type

// The schema version stamped into OrderCreated.metadata.version.
inline constexpr std::string_view kEventSchemaVersion = "1.0";

struct PricedItem {
  Sku product_id;
  int64_t quantity = 0;
  int64_t price = 0;  // unit price, minor units
};

struct QuantityItem {
  Sku product_id;
  int64_t quantity = 0;
};

struct OrderCreatedData {
  OrderId order_id;
  CustomerId customer_id;
  std::vector<PricedItem> items;
  int64_t total_amount = 0;  // minor units, tax and shipping included
  TimeMs timestamp = 0;
  std::string metadata_source;
  std::string metadata_version;
};

struct InventoryReservedData {
  OrderId order_id;
  ReservationId reservation_id;
  std::vector<QuantityItem> items;
  TimeMs expires_at = 0;
  TimeMs timestamp = 0;
};

struct PaymentCompletedData {
  OrderId order_id;
  PaymentId payment_id;
  int64_t amount = 0;
  std::string currency;
  std::string status;  // "CAPTURED"
  TimeMs timestamp = 0;
};

struct ShortItem {
  Sku product_id;
  int64_t requested = 0;
  int64_t available = 0;
};

struct InventoryReservationFailedData {
  OrderId order_id;
  std::string reason;  // "out_of_stock", "unknown_product"
  std::vector<ShortItem> items;
  TimeMs timestamp = 0;
};

struct InventoryReleasedData {
  OrderId order_id;
  ReservationId reservation_id;
  std::vector<QuantityItem> items;
  std::string reason;  // "payment_failed", "cancelled", "expired"
  TimeMs timestamp = 0;
};

struct PaymentFailedData {
  OrderId order_id;
  PaymentId payment_id;
  int64_t amount = 0;
  std::string currency;
  std::string reason;  // "declined", "insufficient_funds", "retries_exhausted", ...
  TimeMs timestamp = 0;
};

struct OrderShippedData {
  OrderId order_id;
  ShipmentId shipment_id;
  std::string carrier;
  std::string tracking_number;
  TimeMs timestamp = 0;
};

struct OrderDeliveredData {
  OrderId order_id;
  ShipmentId shipment_id;
  TimeMs timestamp = 0;
};

struct OrderCancelledData {
  OrderId order_id;
  std::string reason;
  bool refund_due = false;
  TimeMs timestamp = 0;
};

struct RefundCompletedData {
  OrderId order_id;
  PaymentId payment_id;
  std::string refund_id;
  int64_t amount = 0;
  std::string currency;
  TimeMs timestamp = 0;
};

struct OrderStatusChangedData {
  OrderId order_id;
  CustomerId customer_id;
  std::optional<std::string> from;  // absent for the initial PENDING
  std::string to;
  std::string reason;
  TimeMs timestamp = 0;
};

struct LowStockData {
  Sku product_id;
  int64_t available = 0;
  int64_t threshold = 0;
  TimeMs timestamp = 0;
};

struct NotificationSentData {
  OrderId order_id;
  std::string notification_id;
  std::string type;  // "order_confirmed", "order_shipped", ...
  std::string channel;
  std::string recipient;
  TimeMs timestamp = 0;
};

struct NotificationFailedData {
  OrderId order_id;
  std::string notification_id;
  std::string type;
  std::string channel;
  std::string recipient;
  std::string reason;
  TimeMs timestamp = 0;
};

}  // namespace of::core
