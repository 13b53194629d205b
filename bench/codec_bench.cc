// JSON at the edge: decoding an order request, encoding each event type's
// data, and the CloudEvents envelope. One call per iteration.
#include <benchmark/benchmark.h>

#include <string>

#include "codec/api_json.h"
#include "codec/events_json.h"

namespace of {
namespace {

constexpr TimeMs kNowMs = 1'767'225'600'000;

const std::string kOrderBody =
    R"({"customerId":"cust-42","currency":"USD","paymentToken":"tok_visa",)"
    R"("shippingAddress":{"name":"Ada Lovelace","line1":"1 Main St","city":"Los Angeles","region":"CA",)"
    R"("postalCode":"90001","country":"US"},"lines":[{"productId":"sku-mug","quantity":2},)"
    R"({"productId":"sku-tee","quantity":1,"price":1999},{"productId":"sku-cap","quantity":3}]})";

void BM_DecodeCreateOrder(benchmark::State& state) {
  for (auto _ : state) {
    auto request = codec::decode_create_order(kOrderBody);
    benchmark::DoNotOptimize(request);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * kOrderBody.size()));
}
BENCHMARK(BM_DecodeCreateOrder);

core::Order sample_order() {
  core::Order order;
  order.id = OrderId("0193a3c0-8a1b-7c2d-9e3f-1234567890ab");
  order.customer_id = CustomerId("cust-42");
  order.currency = *core::Currency::parse("USD");
  for (int i = 0; i < 3; ++i) {
    core::OrderLine line;
    line.product_id = Sku("sku-" + std::to_string(i));
    line.name = "Product " + std::to_string(i);
    line.quantity = 2;
    line.unit_price_minor = 1299;
    line.line_subtotal_minor = 2598;
    line.tax_class = "standard";
    line.tax_rate_bp = 725;
    line.tax_minor = 188;
    order.lines.push_back(line);
  }
  order.totals = {7794, 564, 500, 8858};
  order.shipping_address = {"Ada Lovelace", "1 Main St", "", "Los Angeles", "CA", "90001", "US"};
  order.payment_token = "tok_visa";
  order.created_at_ms = order.updated_at_ms = kNowMs;
  return order;
}

void BM_EncodeOrderResponse(benchmark::State& state) {
  core::Order order = sample_order();
  std::vector<core::StatusChange> history = {{1, std::nullopt, core::OrderStatus::kPending, "", kNowMs},
                                             {5, core::OrderStatus::kPending, core::OrderStatus::kReserved, "", kNowMs}};
  for (auto _ : state) benchmark::DoNotOptimize(codec::encode_order(order, history));
}
BENCHMARK(BM_EncodeOrderResponse);

template <class Data>
void encode_loop(benchmark::State& state, const Data& data) {
  for (auto _ : state) benchmark::DoNotOptimize(codec::encode(data));
}

const OrderId kOrder("0193a3c0-8a1b-7c2d-9e3f-1234567890ab");

void BM_EncodeOrderCreated(benchmark::State& state) {
  core::OrderCreatedData data{kOrder, CustomerId("cust-42"), {}, 8858, kNowMs, "api", "1.0"};
  for (int i = 0; i < 3; ++i) data.items.push_back({Sku("sku-" + std::to_string(i)), 2, 1299});
  encode_loop(state, data);
}
BENCHMARK(BM_EncodeOrderCreated);

void BM_EncodeInventoryReserved(benchmark::State& state) {
  core::InventoryReservedData data{kOrder, ReservationId("res-1"), {}, kNowMs + 900'000, kNowMs};
  for (int i = 0; i < 3; ++i) data.items.push_back({Sku("sku-" + std::to_string(i)), 2});
  encode_loop(state, data);
}
BENCHMARK(BM_EncodeInventoryReserved);

void BM_EncodePaymentCompleted(benchmark::State& state) {
  encode_loop(state, core::PaymentCompletedData{kOrder, PaymentId("pay-1"), 8858, "USD", "CAPTURED", kNowMs});
}
BENCHMARK(BM_EncodePaymentCompleted);

void BM_EncodeInventoryReservationFailed(benchmark::State& state) {
  encode_loop(state, core::InventoryReservationFailedData{kOrder, "out_of_stock", {{Sku("sku-1"), 5, 2}}, kNowMs});
}
BENCHMARK(BM_EncodeInventoryReservationFailed);

void BM_EncodeInventoryReleased(benchmark::State& state) {
  encode_loop(state, core::InventoryReleasedData{kOrder, ReservationId("res-1"), {{Sku("sku-1"), 2}}, "cancelled", kNowMs});
}
BENCHMARK(BM_EncodeInventoryReleased);

void BM_EncodePaymentFailed(benchmark::State& state) {
  encode_loop(state, core::PaymentFailedData{kOrder, PaymentId("pay-1"), 8858, "USD", "declined", kNowMs});
}
BENCHMARK(BM_EncodePaymentFailed);

void BM_EncodeOrderShipped(benchmark::State& state) {
  encode_loop(state, core::OrderShippedData{kOrder, ShipmentId("shp-1"), "simcarrier", "1Z999", kNowMs});
}
BENCHMARK(BM_EncodeOrderShipped);

void BM_EncodeOrderDelivered(benchmark::State& state) {
  encode_loop(state, core::OrderDeliveredData{kOrder, ShipmentId("shp-1"), kNowMs});
}
BENCHMARK(BM_EncodeOrderDelivered);

void BM_EncodeOrderCancelled(benchmark::State& state) {
  encode_loop(state, core::OrderCancelledData{kOrder, "customer request", true, kNowMs});
}
BENCHMARK(BM_EncodeOrderCancelled);

void BM_EncodeRefundCompleted(benchmark::State& state) {
  encode_loop(state, core::RefundCompletedData{kOrder, PaymentId("pay-1"), "ref-1", 8858, "USD", kNowMs});
}
BENCHMARK(BM_EncodeRefundCompleted);

void BM_EncodeOrderStatusChanged(benchmark::State& state) {
  encode_loop(state, core::OrderStatusChangedData{kOrder, CustomerId("cust-42"), "PENDING", "RESERVED", "", kNowMs});
}
BENCHMARK(BM_EncodeOrderStatusChanged);

void BM_EncodeLowStock(benchmark::State& state) {
  encode_loop(state, core::LowStockData{Sku("sku-1"), 3, 10, kNowMs});
}
BENCHMARK(BM_EncodeLowStock);

void BM_EncodeNotificationSent(benchmark::State& state) {
  encode_loop(state, core::NotificationSentData{kOrder, "ntf-1", "order_confirmed", "email", "ada@example.com", kNowMs});
}
BENCHMARK(BM_EncodeNotificationSent);

void BM_EncodeNotificationFailed(benchmark::State& state) {
  encode_loop(state, core::NotificationFailedData{kOrder, "ntf-1", "order_confirmed", "sms", "+15555550100",
                                                  "provider unavailable", kNowMs});
}
BENCHMARK(BM_EncodeNotificationFailed);

void BM_EncodeCloudEvent(benchmark::State& state) {
  core::OrderCreatedData data{kOrder, CustomerId("cust-42"), {}, 8858, kNowMs, "api", "1.0"};
  for (int i = 0; i < 3; ++i) data.items.push_back({Sku("sku-" + std::to_string(i)), 2, 1299});
  core::Event event;
  event.seq = 42;
  event.id = EventId("0193a3c0-8a1b-7c2d-9e3f-1234567890ac");
  event.type = "OrderCreated";
  event.source = "/orderflow/orders";
  event.subject = kOrder.str();
  event.time_ms = kNowMs;
  event.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  event.data_json = codec::encode(data);
  for (auto _ : state) benchmark::DoNotOptimize(codec::encode_cloud_event(event));
}
BENCHMARK(BM_EncodeCloudEvent);

}  // namespace
}  // namespace of
