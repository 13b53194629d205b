#include "codec/events_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace of::codec {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr TimeMs kNow = 1'764'074'773'123;  // 2025-11-25T12:46:13.123Z
constexpr char kNowText[] = "2025-11-25T12:46:13.123Z";

std::vector<std::string> keys_of(const json::object& object) {
  std::vector<std::string> keys;
  for (const auto& member : object) keys.emplace_back(member.key());
  return keys;
}

core::OrderCreatedData order_created() {
  core::OrderCreatedData data;
  data.order_id = OrderId("0190a000-0000-7000-8000-000000000001");
  data.customer_id = CustomerId("c-1");
  data.items = {{Sku("sku-1"), 2, 1999}, {Sku("sku-2"), 1, 0}};
  data.total_amount = 4597;
  data.timestamp = kNow;
  data.metadata_source = "storefront";
  data.metadata_version = std::string(core::kEventSchemaVersion);
  return data;
}

core::InventoryReservedData inventory_reserved() {
  core::InventoryReservedData data;
  data.order_id = OrderId("o-1");
  data.reservation_id = ReservationId("r-1");
  data.items = {{Sku("sku-1"), 2}, {Sku("sku-2"), 1}};
  data.expires_at = kNow + 900'000;
  data.timestamp = kNow;
  return data;
}

core::PaymentCompletedData payment_completed() {
  core::PaymentCompletedData data;
  data.order_id = OrderId("o-1");
  data.payment_id = PaymentId("p-1");
  data.amount = 4597;
  data.currency = "USD";
  data.status = "CAPTURED";
  data.timestamp = kNow;
  return data;
}

// Expects decoding `value` with `decode` to fail at `field`.
template <class Decode>
void expect_refused(Decode decode, const json::value& value, const std::string& field) {
  std::string text = json::serialize(value);
  auto decoded = decode(text);
  ASSERT_FALSE(decoded.is_ok()) << text;
  EXPECT_EQ(decoded.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(decoded.status().field(), field) << decoded.status().to_string();
}

TEST(OrderCreatedJsonTest, MatchesTheBriefSchemaExactly) {
  json::value out = json::parse(encode(order_created()));
  EXPECT_EQ(out, json::parse(R"({
      "orderId": "0190a000-0000-7000-8000-000000000001",
      "customerId": "c-1",
      "items": [{"productId": "sku-1", "quantity": 2, "price": 1999}, {"productId": "sku-2", "quantity": 1, "price": 0}],
      "totalAmount": 4597,
      "timestamp": "2025-11-25T12:46:13.123Z",
      "metadata": {"source": "storefront", "version": "1.0"}})"));
  EXPECT_THAT(keys_of(out.as_object()),
              ElementsAre("orderId", "customerId", "items", "totalAmount", "timestamp", "metadata"));
}

TEST(OrderCreatedJsonTest, RoundTrips) {
  core::OrderCreatedData data = order_created();
  Result<core::OrderCreatedData> decoded = decode_order_created(encode(data));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->order_id, data.order_id);
  EXPECT_EQ(decoded->customer_id, data.customer_id);
  ASSERT_EQ(decoded->items.size(), 2u);
  EXPECT_EQ(decoded->items[0].product_id, Sku("sku-1"));
  EXPECT_EQ(decoded->items[0].quantity, 2);
  EXPECT_EQ(decoded->items[0].price, 1999);
  EXPECT_EQ(decoded->items[1].price, 0);
  EXPECT_EQ(decoded->total_amount, 4597);
  EXPECT_EQ(decoded->timestamp, kNow);
  EXPECT_EQ(decoded->metadata_source, "storefront");
  EXPECT_EQ(decoded->metadata_version, "1.0");
  EXPECT_EQ(encode(*decoded), encode(data));
}

TEST(OrderCreatedJsonTest, DecoderIsStrict) {
  json::value valid = json::parse(encode(order_created()));
  auto decode = [](std::string_view text) { return decode_order_created(text); };
  struct Case {
    std::string pointer;               // member to change
    std::optional<json::value> value;  // nullopt: remove it
    std::string field;                 // where the error is reported
  };
  const std::vector<Case> cases = {
      {"/orderId", std::nullopt, "/orderId"},
      {"/orderId", 7, "/orderId"},
      {"/customerId", "", "/customerId"},
      {"/items", json::array{}, "/items"},
      {"/items", "sku-1", "/items"},
      {"/items/0/quantity", 1.5, "/items/0/quantity"},
      {"/items/0/quantity", "2", "/items/0/quantity"},
      {"/items/0/quantity", 0, "/items/0/quantity"},
      {"/items/1/price", -1, "/items/1/price"},
      {"/items/1/price", std::nullopt, "/items/1/price"},
      {"/totalAmount", 10'000'000'000'001LL, "/totalAmount"},
      {"/totalAmount", "4597", "/totalAmount"},
      {"/timestamp", 1764074773123LL, "/timestamp"},
      {"/timestamp", "yesterday", "/timestamp"},
      {"/metadata", std::nullopt, "/metadata"},
      {"/metadata", "storefront", "/metadata"},
      {"/metadata/version", std::nullopt, "/metadata/version"},
      {"/metadata/version", 1, "/metadata/version"},
  };
  for (const Case& c : cases) {
    json::value changed = valid;
    if (c.value) {
      changed.at_pointer(c.pointer) = *c.value;
    } else {
      size_t slash = c.pointer.rfind('/');
      json::value& parent = slash == 0 ? changed : changed.at_pointer(c.pointer.substr(0, slash));
      parent.as_object().erase(c.pointer.substr(slash + 1));
    }
    expect_refused(decode, changed, c.field);
  }
}

TEST(OrderCreatedJsonTest, DecoderRefusesUnknownFieldsAtEveryLevel) {
  auto decode = [](std::string_view text) { return decode_order_created(text); };
  for (std::string parent : {"", "/items/1", "/metadata"}) {
    json::value changed = json::parse(encode(order_created()));
    json::value& target = parent.empty() ? changed : changed.at_pointer(parent);
    target.as_object()["currency"] = "USD";
    expect_refused(decode, changed, parent + "/currency");
  }
}

TEST(InventoryReservedJsonTest, MatchesTheBriefSchemaAndRoundTrips) {
  core::InventoryReservedData data = inventory_reserved();
  json::value out = json::parse(encode(data));
  EXPECT_EQ(out, json::parse(R"({"orderId":"o-1","reservationId":"r-1",
      "items":[{"productId":"sku-1","quantity":2},{"productId":"sku-2","quantity":1}],
      "expiresAt":"2025-11-25T13:01:13.123Z","timestamp":"2025-11-25T12:46:13.123Z"})"));
  EXPECT_THAT(keys_of(out.as_object()), ElementsAre("orderId", "reservationId", "items", "expiresAt", "timestamp"));

  Result<core::InventoryReservedData> decoded = decode_inventory_reserved(encode(data));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->order_id, data.order_id);
  EXPECT_EQ(decoded->reservation_id, data.reservation_id);
  ASSERT_EQ(decoded->items.size(), 2u);
  EXPECT_EQ(decoded->items[1].product_id, Sku("sku-2"));
  EXPECT_EQ(decoded->items[1].quantity, 1);
  EXPECT_EQ(decoded->expires_at, data.expires_at);
  EXPECT_EQ(decoded->timestamp, data.timestamp);
}

TEST(InventoryReservedJsonTest, DecoderIsStrict) {
  auto decode = [](std::string_view text) { return decode_inventory_reserved(text); };
  json::value valid = json::parse(encode(inventory_reserved()));
  json::value unknown = valid;
  unknown.as_object()["status"] = "ACTIVE";
  expect_refused(decode, unknown, "/status");
  json::value unknown_item = valid;
  unknown_item.at_pointer("/items/0").as_object()["price"] = 1;
  expect_refused(decode, unknown_item, "/items/0/price");
  json::value missing = valid;
  missing.as_object().erase("expiresAt");
  expect_refused(decode, missing, "/expiresAt");
  json::value fraction = valid;
  fraction.at_pointer("/items/1/quantity") = 1.0;
  expect_refused(decode, fraction, "/items/1/quantity");
  json::value bad_id = valid;
  bad_id.at_pointer("/reservationId") = "r 1";
  expect_refused(decode, bad_id, "/reservationId");
}

TEST(PaymentCompletedJsonTest, MatchesTheBriefSchemaAndRoundTrips) {
  core::PaymentCompletedData data = payment_completed();
  json::value out = json::parse(encode(data));
  EXPECT_EQ(out, json::parse(R"({"orderId":"o-1","paymentId":"p-1","amount":4597,"currency":"USD",
      "status":"CAPTURED","timestamp":"2025-11-25T12:46:13.123Z"})"));
  EXPECT_THAT(keys_of(out.as_object()),
              ElementsAre("orderId", "paymentId", "amount", "currency", "status", "timestamp"));

  Result<core::PaymentCompletedData> decoded = decode_payment_completed(encode(data));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->order_id, data.order_id);
  EXPECT_EQ(decoded->payment_id, data.payment_id);
  EXPECT_EQ(decoded->amount, 4597);
  EXPECT_EQ(decoded->currency, "USD");
  EXPECT_EQ(decoded->status, "CAPTURED");
  EXPECT_EQ(decoded->timestamp, kNow);
}

TEST(PaymentCompletedJsonTest, DecoderIsStrict) {
  auto decode = [](std::string_view text) { return decode_payment_completed(text); };
  json::value valid = json::parse(encode(payment_completed()));
  struct Case {
    std::string member;
    json::value value;
  };
  const std::vector<Case> cases = {
      {"amount", 45.97}, {"amount", "4597"}, {"amount", -1},      {"currency", "usd"},
      {"currency", 840}, {"status", ""},     {"status", nullptr}, {"timestamp", "2025-13-01T00:00:00Z"},
  };
  for (const Case& c : cases) {
    json::value changed = valid;
    changed.as_object()[c.member] = c.value;
    expect_refused(decode, changed, "/" + c.member);
  }
  json::value unknown = valid;
  unknown.as_object()["cardLast4"] = "4242";
  expect_refused(decode, unknown, "/cardLast4");
}

TEST(EventDataJsonTest, DecodersRefuseMalformedJson) {
  std::string truncated = encode(payment_completed());
  truncated.resize(truncated.size() / 2);
  std::string deep(10'000, '[');
  for (const std::string& text : {truncated, deep, std::string(""), std::string("[]")}) {
    for (const Status& status : {decode_order_created(text).status(), decode_inventory_reserved(text).status(),
                                 decode_payment_completed(text).status(), decode_inventory_released(text).status(),
                                 decode_payment_failed(text).status(), decode_order_shipped(text).status(),
                                 decode_order_status_changed(text).status()}) {
      EXPECT_EQ(status.code(), Code::kInvalidArgument) << text.substr(0, 40);
    }
  }
  EXPECT_THAT(decode_order_created(truncated).status().message(), HasSubstr("event data is not valid JSON"));
}

TEST(EventDataJsonTest, OtherEventsUseCamelCaseNames) {
  core::InventoryReservationFailedData failed{OrderId("o-1"), "out_of_stock", {{Sku("sku-1"), 3, 1}}, 0};
  EXPECT_EQ(json::parse(encode(failed)), json::parse(R"({"orderId":"o-1","reason":"out_of_stock",
                "items":[{"productId":"sku-1","requested":3,"available":1}],"timestamp":"1970-01-01T00:00:00.000Z"})"));

  core::OrderDeliveredData delivered{OrderId("o-1"), ShipmentId("s-1"), 0};
  EXPECT_EQ(json::parse(encode(delivered)),
            json::parse(R"({"orderId":"o-1","shipmentId":"s-1","timestamp":"1970-01-01T00:00:00.000Z"})"));

  core::OrderCancelledData cancelled{OrderId("o-1"), "customer request", true, 0};
  EXPECT_EQ(json::parse(encode(cancelled)),
            json::parse(R"({"orderId":"o-1","reason":"customer request","refundDue":true,
                "timestamp":"1970-01-01T00:00:00.000Z"})"));

  core::RefundCompletedData refund{OrderId("o-1"), PaymentId("p-1"), "re-1", 500, "USD", 0};
  EXPECT_EQ(json::parse(encode(refund)),
            json::parse(R"({"orderId":"o-1","paymentId":"p-1","refundId":"re-1","amount":500,"currency":"USD",
                "timestamp":"1970-01-01T00:00:00.000Z"})"));

  core::LowStockData low{Sku("sku-1"), 2, 5, 0};
  EXPECT_EQ(json::parse(encode(low)),
            json::parse(R"({"productId":"sku-1","available":2,"threshold":5,"timestamp":"1970-01-01T00:00:00.000Z"})"));

  core::NotificationSentData sent{OrderId("o-1"), "n-1", "order_confirmed", "email", "ada@example.com", 0};
  EXPECT_EQ(json::parse(encode(sent)),
            json::parse(R"({"orderId":"o-1","notificationId":"n-1","type":"order_confirmed","channel":"email",
                "recipient":"ada@example.com","timestamp":"1970-01-01T00:00:00.000Z"})"));

  core::NotificationFailedData not_sent{OrderId("o-1"), "n-1", "order_confirmed", "email", "ada@example.com",
                                        "smtp 550",     0};
  EXPECT_EQ(json::parse(encode(not_sent)),
            json::parse(R"({"orderId":"o-1","notificationId":"n-1","type":"order_confirmed","channel":"email",
                "recipient":"ada@example.com","reason":"smtp 550","timestamp":"1970-01-01T00:00:00.000Z"})"));
}

TEST(InventoryReleasedJsonTest, RoundTripsAndToleratesNewFields) {
  core::InventoryReleasedData data{OrderId("o-1"), ReservationId("r-1"), {{Sku("sku-1"), 2}}, "expired", kNow};
  EXPECT_EQ(json::parse(encode(data)),
            json::parse(R"({"orderId":"o-1","reservationId":"r-1","items":[{"productId":"sku-1","quantity":2}],
                "reason":"expired","timestamp":"2025-11-25T12:46:13.123Z"})"));
  Result<core::InventoryReleasedData> decoded = decode_inventory_released(encode(data));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->order_id, data.order_id);
  EXPECT_EQ(decoded->reservation_id, data.reservation_id);
  ASSERT_EQ(decoded->items.size(), 1u);
  EXPECT_EQ(decoded->items[0].quantity, 2);
  EXPECT_EQ(decoded->reason, "expired");
  EXPECT_EQ(decoded->timestamp, kNow);

  json::value newer = json::parse(encode(data));
  newer.as_object()["releasedBy"] = "sweeper";
  newer.at_pointer("/items/0").as_object()["warehouse"] = "w-1";
  EXPECT_TRUE(decode_inventory_released(json::serialize(newer)).is_ok());
  json::value wrong = json::parse(encode(data));
  wrong.at_pointer("/items/0/quantity") = "2";
  expect_refused([](std::string_view text) { return decode_inventory_released(text); }, wrong, "/items/0/quantity");
}

TEST(PaymentFailedJsonTest, RoundTrips) {
  core::PaymentFailedData data{OrderId("o-1"), PaymentId(""), 4597, "EUR", "declined", kNow};
  EXPECT_EQ(json::parse(encode(data)),
            json::parse(R"({"orderId":"o-1","paymentId":"","amount":4597,"currency":"EUR","reason":"declined",
                "timestamp":"2025-11-25T12:46:13.123Z"})"));
  Result<core::PaymentFailedData> decoded = decode_payment_failed(encode(data));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->order_id, data.order_id);
  EXPECT_TRUE(decoded->payment_id.empty());
  EXPECT_EQ(decoded->amount, 4597);
  EXPECT_EQ(decoded->currency, "EUR");
  EXPECT_EQ(decoded->reason, "declined");
  EXPECT_EQ(decoded->timestamp, kNow);
  json::value wrong = json::parse(encode(data));
  wrong.as_object().erase("reason");
  expect_refused([](std::string_view text) { return decode_payment_failed(text); }, wrong, "/reason");
}

TEST(OrderShippedJsonTest, RoundTrips) {
  core::OrderShippedData data{OrderId("o-1"), ShipmentId("s-1"), "UPS", "1Z999", kNow};
  EXPECT_EQ(json::parse(encode(data)),
            json::parse(R"({"orderId":"o-1","shipmentId":"s-1","carrier":"UPS","trackingNumber":"1Z999",
                "timestamp":"2025-11-25T12:46:13.123Z"})"));
  Result<core::OrderShippedData> decoded = decode_order_shipped(encode(data));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->order_id, data.order_id);
  EXPECT_EQ(decoded->shipment_id, data.shipment_id);
  EXPECT_EQ(decoded->carrier, "UPS");
  EXPECT_EQ(decoded->tracking_number, "1Z999");
  EXPECT_EQ(decoded->timestamp, kNow);
}

TEST(OrderStatusChangedJsonTest, RoundTripsWithAndWithoutFrom) {
  core::OrderStatusChangedData data{OrderId("o-1"), CustomerId("c-1"), "RESERVED", "PAID", "payment captured", kNow};
  EXPECT_EQ(json::parse(encode(data)), json::parse(R"({"orderId":"o-1","customerId":"c-1","from":"RESERVED","to":"PAID",
                "reason":"payment captured","timestamp":"2025-11-25T12:46:13.123Z"})"));
  Result<core::OrderStatusChangedData> decoded = decode_order_status_changed(encode(data));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->order_id, data.order_id);
  EXPECT_EQ(decoded->customer_id, data.customer_id);
  EXPECT_EQ(decoded->from, "RESERVED");
  EXPECT_EQ(decoded->to, "PAID");
  EXPECT_EQ(decoded->reason, "payment captured");
  EXPECT_EQ(decoded->timestamp, kNow);

  data.from.reset();
  json::value initial = json::parse(encode(data));
  EXPECT_TRUE(initial.as_object()["from"].is_null());
  Result<core::OrderStatusChangedData> first = decode_order_status_changed(encode(data));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  EXPECT_EQ(first->from, std::nullopt);
  // Omitting "from" means the same as null.
  initial.as_object().erase("from");
  Result<core::OrderStatusChangedData> omitted = decode_order_status_changed(json::serialize(initial));
  ASSERT_TRUE(omitted.is_ok());
  EXPECT_EQ(omitted->from, std::nullopt);
}

TEST(OrderStatusChangedJsonTest, RefusesUnknownStatuses) {
  auto decode = [](std::string_view text) { return decode_order_status_changed(text); };
  core::OrderStatusChangedData data{OrderId("o-1"), CustomerId("c-1"), "RESERVED", "PAID", "", kNow};
  json::value bad_to = json::parse(encode(data));
  bad_to.as_object()["to"] = "paid";
  expect_refused(decode, bad_to, "/to");
  json::value bad_from = json::parse(encode(data));
  bad_from.as_object()["from"] = "LOST";
  expect_refused(decode, bad_from, "/from");
  json::value no_to = json::parse(encode(data));
  no_to.as_object().erase("to");
  expect_refused(decode, no_to, "/to");
}

core::Event sample_event() {
  core::Event event;
  event.seq = 42;
  event.id = EventId("0190a000-0000-7000-8000-0000000000e1");
  event.type = std::string(core::event_type::kPaymentCompleted);
  event.source = "/orderflow/payments";
  event.subject = "o-1";
  event.time_ms = kNow;
  event.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  event.data_json = encode(payment_completed());
  return event;
}

TEST(CloudEventJsonTest, EmbedsDataAsAnObject) {
  json::object out = json::parse(encode_cloud_event(sample_event())).as_object();
  EXPECT_THAT(keys_of(out), ElementsAre("specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                                        "traceparent", "sequence", "data"));
  EXPECT_EQ(out["specversion"], "1.0");
  EXPECT_EQ(out["id"], "0190a000-0000-7000-8000-0000000000e1");
  EXPECT_EQ(out["source"], "/orderflow/payments");
  EXPECT_EQ(out["type"], "PaymentCompleted");
  EXPECT_EQ(out["subject"], "o-1");
  EXPECT_EQ(out["time"], kNowText);
  EXPECT_EQ(out["datacontenttype"], "application/json");
  EXPECT_EQ(out["sequence"], "42");
  ASSERT_TRUE(out["data"].is_object());
  EXPECT_EQ(out["data"], json::parse(encode(payment_completed())));
}

TEST(CloudEventJsonTest, RoundTrips) {
  core::Event event = sample_event();
  Result<core::Event> decoded = decode_cloud_event(encode_cloud_event(event));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->seq, 42);
  EXPECT_EQ(decoded->id, event.id);
  EXPECT_EQ(decoded->type, event.type);
  EXPECT_EQ(decoded->source, event.source);
  EXPECT_EQ(decoded->subject, event.subject);
  EXPECT_EQ(decoded->time_ms, event.time_ms);
  EXPECT_EQ(decoded->traceparent, event.traceparent);
  EXPECT_EQ(decoded->data_json, event.data_json);
  // And the data inside still decodes strictly.
  EXPECT_TRUE(decode_payment_completed(decoded->data_json).is_ok());
}

TEST(CloudEventJsonTest, OmitsZeroSequenceAndEmptyOptionalAttributes) {
  core::Event event = sample_event();
  event.seq = 0;
  event.subject.clear();
  event.traceparent.clear();
  json::object out = json::parse(encode_cloud_event(event)).as_object();
  EXPECT_FALSE(out.contains("sequence"));
  EXPECT_FALSE(out.contains("subject"));
  EXPECT_FALSE(out.contains("traceparent"));
  Result<core::Event> decoded = decode_cloud_event(encode_cloud_event(event));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->seq, 0);
  EXPECT_EQ(decoded->subject, "");
  EXPECT_EQ(decoded->traceparent, "");
}

TEST(CloudEventJsonTest, CorruptStoredDataStaysDetectable) {
  core::Event event = sample_event();
  event.data_json = "{not json";
  json::object out = json::parse(encode_cloud_event(event)).as_object();
  EXPECT_EQ(out["data"], "{not json");
  Result<core::Event> decoded = decode_cloud_event(encode_cloud_event(event));
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().field(), "/data");
}

TEST(CloudEventJsonTest, DecoderChecksTheEnvelope) {
  json::value valid = json::parse(encode_cloud_event(sample_event()));
  struct Case {
    std::string member;
    std::optional<json::value> value;
  };
  const std::vector<Case> cases = {
      {"specversion", "0.3"},
      {"specversion", std::nullopt},
      {"id", ""},
      {"id", std::nullopt},
      {"source", 5},
      {"type", std::nullopt},
      {"time", "now"},
      {"time", std::nullopt},
      {"sequence", "-1"},
      {"sequence", "4x"},
      {"sequence", 42},
      {"sequence", "99999999999999999999"},
      {"sequence", "+1"},
      {"datacontenttype", "text/plain"},
      {"data", "{}"},
      {"data", json::array{}},
      {"subject", 1},
  };
  for (const Case& c : cases) {
    json::value changed = valid;
    if (c.value) {
      changed.as_object()[c.member] = *c.value;
    } else {
      changed.as_object().erase(c.member);
    }
    expect_refused([](std::string_view text) { return decode_cloud_event(text); }, changed, "/" + c.member);
  }
}

TEST(CloudEventJsonTest, DecoderSkipsOtherExtensionsAndAllowsNoData) {
  json::value event = json::parse(encode_cloud_event(sample_event()));
  event.as_object()["tracestate"] = "vendor=1";
  event.as_object()["dataschema"] = "https://orderflow.dev/schemas/payment-completed";
  event.as_object().erase("data");
  Result<core::Event> decoded = decode_cloud_event(json::serialize(event));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->data_json, "");
}

TEST(CloudEventJsonTest, DecoderRefusesMalformedJson) {
  std::string text = encode_cloud_event(sample_event());
  for (const std::string& bad : {text.substr(0, text.size() - 1), std::string(10'000, '{'), std::string("null")}) {
    Result<core::Event> decoded = decode_cloud_event(bad);
    ASSERT_FALSE(decoded.is_ok());
    EXPECT_EQ(decoded.status().code(), Code::kInvalidArgument);
  }
}

}  // namespace
}  // namespace of::codec
