#include "codec/events_json.h"

#include <boost/json.hpp>
#include <charconv>

#include "codec/api_json.h"
#include "codec/json_reader.h"
#include "core/money.h"
#include "core/order_status.h"

namespace of::codec {
namespace {

namespace json = boost::json;
using detail::ArrayReader;
using detail::kAnyStringRule;
using detail::kCurrencyCodeRule;
using detail::kIdRule;
using detail::kNonEmptyStringRule;
using detail::ObjectReader;
using detail::UnknownFields;

constexpr std::string_view kWhat = "event data";
constexpr std::string_view kCloudEventsVersion = "1.0";
constexpr std::string_view kDataContentType = "application/json";
// Bounds for events other than the brief's three, which are read leniently:
// large enough for any order, small enough that a corrupt event cannot make a
// consumer allocate without bound.
constexpr size_t kEventItemsMax = kOrderLinesMax;

template <class T>
Result<T> finish(const Status& status, T value) {
  if (!status.is_ok()) return status;
  return value;
}

std::string iso(TimeMs time_ms) { return format_iso8601(time_ms); }

json::array quantity_items(const std::vector<core::QuantityItem>& items) {
  json::array out;
  out.reserve(items.size());
  for (const core::QuantityItem& item : items) {
    out.push_back(json::object{{"productId", item.product_id.str()}, {"quantity", item.quantity}});
  }
  return out;
}

std::vector<core::QuantityItem> read_quantity_items(ArrayReader array, UnknownFields unknown) {
  std::vector<core::QuantityItem> items;
  items.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    ObjectReader in = array.object(i, {"productId", "quantity"}, unknown);
    core::QuantityItem item;
    item.product_id = Sku(in.text("productId", kIdRule));
    item.quantity = in.integer("quantity", 1, kQuantityMax);
    items.push_back(std::move(item));
  }
  return items;
}

// An order status name, as OrderStatusChanged carries it.
std::string read_status_name(ObjectReader& in, std::string_view key, bool required) {
  std::optional<std::string> name =
      required ? std::optional<std::string>(in.text(key, kNonEmptyStringRule)) : in.optional_text(key, kAnyStringRule);
  if (!in.ok() || !name) return {};
  if (!core::parse_order_status(*name)) {
    in.fail(key, std::string(key) + " must be an order status such as \"PAID\"");
    return {};
  }
  return *name;
}

}  // namespace

std::string encode(const core::OrderCreatedData& data) {
  json::array items;
  items.reserve(data.items.size());
  for (const core::PricedItem& item : data.items) {
    items.push_back(
        json::object{{"productId", item.product_id.str()}, {"quantity", item.quantity}, {"price", item.price}});
  }
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"customerId", data.customer_id.str()},
      {"items", std::move(items)},
      {"totalAmount", data.total_amount},
      {"timestamp", iso(data.timestamp)},
      {"metadata", json::object{{"source", data.metadata_source}, {"version", data.metadata_version}}},
  });
}

std::string encode(const core::InventoryReservedData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"reservationId", data.reservation_id.str()},
      {"items", quantity_items(data.items)},
      {"expiresAt", iso(data.expires_at)},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::PaymentCompletedData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"paymentId", data.payment_id.str()},
      {"amount", data.amount},
      {"currency", data.currency},
      {"status", data.status},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::InventoryReservationFailedData& data) {
  json::array items;
  items.reserve(data.items.size());
  for (const core::ShortItem& item : data.items) {
    items.push_back(json::object{
        {"productId", item.product_id.str()}, {"requested", item.requested}, {"available", item.available}});
  }
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"reason", data.reason},
      {"items", std::move(items)},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::InventoryReleasedData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"reservationId", data.reservation_id.str()},
      {"items", quantity_items(data.items)},
      {"reason", data.reason},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::PaymentFailedData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"paymentId", data.payment_id.str()},
      {"amount", data.amount},
      {"currency", data.currency},
      {"reason", data.reason},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::OrderShippedData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"shipmentId", data.shipment_id.str()},
      {"carrier", data.carrier},
      {"trackingNumber", data.tracking_number},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::OrderDeliveredData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"shipmentId", data.shipment_id.str()},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::OrderCancelledData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"reason", data.reason},
      {"refundDue", data.refund_due},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::RefundCompletedData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"paymentId", data.payment_id.str()},
      {"refundId", data.refund_id},
      {"amount", data.amount},
      {"currency", data.currency},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::OrderStatusChangedData& data) {
  json::value from = nullptr;
  if (data.from) from = json::value(*data.from);
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"customerId", data.customer_id.str()},
      {"from", std::move(from)},
      {"to", data.to},
      {"reason", data.reason},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::LowStockData& data) {
  return json::serialize(json::object{
      {"productId", data.product_id.str()},
      {"available", data.available},
      {"threshold", data.threshold},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::NotificationSentData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"notificationId", data.notification_id},
      {"type", data.type},
      {"channel", data.channel},
      {"recipient", data.recipient},
      {"timestamp", iso(data.timestamp)},
  });
}

std::string encode(const core::NotificationFailedData& data) {
  return json::serialize(json::object{
      {"orderId", data.order_id.str()},
      {"notificationId", data.notification_id},
      {"type", data.type},
      {"channel", data.channel},
      {"recipient", data.recipient},
      {"reason", data.reason},
      {"timestamp", iso(data.timestamp)},
  });
}

Result<core::OrderCreatedData> decode_order_created(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "OrderCreated data",
                  {"orderId", "customerId", "items", "totalAmount", "timestamp", "metadata"}, UnknownFields::kReject);
  core::OrderCreatedData data;
  data.order_id = OrderId(in.text("orderId", kIdRule));
  data.customer_id = CustomerId(in.text("customerId", kIdRule));
  ArrayReader items = in.array("items", 1, kOrderLinesMax);
  for (size_t i = 0; i < items.size(); ++i) {
    ObjectReader item_in = items.object(i, {"productId", "quantity", "price"}, UnknownFields::kReject);
    core::PricedItem item;
    item.product_id = Sku(item_in.text("productId", kIdRule));
    item.quantity = item_in.integer("quantity", 1, kQuantityMax);
    item.price = item_in.integer("price", 0, core::kAmountMinorMax);
    data.items.push_back(std::move(item));
  }
  data.total_amount = in.integer("totalAmount", 0, core::kAmountMinorMax);
  data.timestamp = in.time("timestamp");
  ObjectReader metadata = in.object("metadata", {"source", "version"}, UnknownFields::kReject);
  data.metadata_source = metadata.text("source", kNonEmptyStringRule);
  data.metadata_version = metadata.text("version", kNonEmptyStringRule);
  return finish(status, std::move(data));
}

Result<core::InventoryReservedData> decode_inventory_reserved(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "InventoryReserved data",
                  {"orderId", "reservationId", "items", "expiresAt", "timestamp"}, UnknownFields::kReject);
  core::InventoryReservedData data;
  data.order_id = OrderId(in.text("orderId", kIdRule));
  data.reservation_id = ReservationId(in.text("reservationId", kIdRule));
  data.items = read_quantity_items(in.array("items", 1, kOrderLinesMax), UnknownFields::kReject);
  data.expires_at = in.time("expiresAt");
  data.timestamp = in.time("timestamp");
  return finish(status, std::move(data));
}

Result<core::PaymentCompletedData> decode_payment_completed(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "PaymentCompleted data",
                  {"orderId", "paymentId", "amount", "currency", "status", "timestamp"}, UnknownFields::kReject);
  core::PaymentCompletedData data;
  data.order_id = OrderId(in.text("orderId", kIdRule));
  data.payment_id = PaymentId(in.text("paymentId", kIdRule));
  data.amount = in.integer("amount", 0, core::kAmountMinorMax);
  data.currency = in.text("currency", kCurrencyCodeRule);
  data.status = in.text("status", kNonEmptyStringRule);
  data.timestamp = in.time("timestamp");
  return finish(status, std::move(data));
}

Result<core::InventoryReleasedData> decode_inventory_released(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "InventoryReleased data",
                  {"orderId", "reservationId", "items", "reason", "timestamp"}, UnknownFields::kIgnore);
  core::InventoryReleasedData data;
  data.order_id = OrderId(in.text("orderId", kIdRule));
  data.reservation_id = ReservationId(in.text("reservationId", kIdRule));
  data.items = read_quantity_items(in.array("items", 0, kEventItemsMax), UnknownFields::kIgnore);
  data.reason = in.text("reason", kAnyStringRule);
  data.timestamp = in.time("timestamp");
  return finish(status, std::move(data));
}

Result<core::PaymentFailedData> decode_payment_failed(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "PaymentFailed data",
                  {"orderId", "paymentId", "amount", "currency", "reason", "timestamp"}, UnknownFields::kIgnore);
  core::PaymentFailedData data;
  data.order_id = OrderId(in.text("orderId", kIdRule));
  // A charge can fail before the gateway assigns it an id, so this one may be empty.
  data.payment_id = PaymentId(in.text("paymentId", kAnyStringRule));
  data.amount = in.integer("amount", 0, core::kAmountMinorMax);
  data.currency = in.text("currency", kCurrencyCodeRule);
  data.reason = in.text("reason", kAnyStringRule);
  data.timestamp = in.time("timestamp");
  return finish(status, std::move(data));
}

Result<core::OrderShippedData> decode_order_shipped(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "OrderShipped data",
                  {"orderId", "shipmentId", "carrier", "trackingNumber", "timestamp"}, UnknownFields::kIgnore);
  core::OrderShippedData data;
  data.order_id = OrderId(in.text("orderId", kIdRule));
  data.shipment_id = ShipmentId(in.text("shipmentId", kIdRule));
  data.carrier = in.text("carrier", kAnyStringRule);
  data.tracking_number = in.text("trackingNumber", kAnyStringRule);
  data.timestamp = in.time("timestamp");
  return finish(status, std::move(data));
}

Result<core::OrderStatusChangedData> decode_order_status_changed(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "OrderStatusChanged data",
                  {"orderId", "customerId", "from", "to", "reason", "timestamp"}, UnknownFields::kIgnore);
  core::OrderStatusChangedData data;
  data.order_id = OrderId(in.text("orderId", kIdRule));
  data.customer_id = CustomerId(in.text("customerId", kAnyStringRule));
  if (in.has("from")) data.from = read_status_name(in, "from", /*required=*/false);
  data.to = read_status_name(in, "to", /*required=*/true);
  data.reason = in.optional_text("reason", kAnyStringRule).value_or("");
  data.timestamp = in.time("timestamp");
  return finish(status, std::move(data));
}

std::string encode_cloud_event(const core::Event& event) {
  json::object out;
  out["specversion"] = kCloudEventsVersion;
  out["id"] = event.id.str();
  out["source"] = event.source;
  out["type"] = event.type;
  // Optional CloudEvents attributes must not be empty strings when present.
  if (!event.subject.empty()) out["subject"] = event.subject;
  out["time"] = format_iso8601(event.time_ms);
  out["datacontenttype"] = kDataContentType;
  if (!event.traceparent.empty()) out["traceparent"] = event.traceparent;
  if (event.seq != 0) out["sequence"] = std::to_string(event.seq);
  if (!event.data_json.empty()) {
    Result<json::value> data = detail::parse_json(event.data_json, kWhat);
    // data_json is written by this codec, so it parses; if a corrupt row does
    // not, it is carried as a string, which a consumer's decoder refuses as
    // "data must be a JSON object" instead of the whole envelope being unreadable.
    out["data"] = data.is_ok() ? std::move(data).value() : json::value(event.data_json);
  }
  return json::serialize(out);
}

Result<core::Event> decode_cloud_event(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, "event"));
  Status status;
  // Other extension attributes (tracestate, dataschema, ...) are legal CloudEvents and skipped.
  ObjectReader in(
      &status, &root, "", "event",
      {"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "traceparent", "sequence", "data"},
      UnknownFields::kIgnore);
  core::Event event;
  std::string specversion = in.text("specversion", kNonEmptyStringRule);
  if (in.ok() && specversion != kCloudEventsVersion) in.fail("specversion", "specversion must be \"1.0\"");
  event.id = EventId(in.text("id", kNonEmptyStringRule));
  event.source = in.text("source", kNonEmptyStringRule);
  event.type = in.text("type", kNonEmptyStringRule);
  event.subject = in.optional_text("subject", kAnyStringRule).value_or("");
  event.time_ms = in.time("time");
  std::optional<std::string> content_type = in.optional_text("datacontenttype", kAnyStringRule);
  if (in.ok() && content_type && *content_type != kDataContentType) {
    in.fail("datacontenttype", "datacontenttype must be \"application/json\"");
  }
  event.traceparent = in.optional_text("traceparent", kAnyStringRule).value_or("");
  std::optional<std::string> sequence = in.optional_text("sequence", kNonEmptyStringRule);
  if (in.ok() && sequence) {
    const char* begin = sequence->data();
    const char* end = begin + sequence->size();
    auto [next, ec] = std::from_chars(begin, end, event.seq);
    if (ec != std::errc() || next != end || event.seq < 0 || (*sequence)[0] == '-') {
      in.fail("sequence", "sequence must be a decimal string of a non-negative 64-bit integer such as \"42\"");
    }
  }
  if (in.has("data")) {
    const json::value* data = in.raw("data");
    if (!data->is_object()) {
      in.fail("data", "data must be a JSON object");
    } else {
      event.data_json = json::serialize(*data);
    }
  }
  return finish(status, std::move(event));
}

}  // namespace of::codec
