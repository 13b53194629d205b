#include "services/orders/order_service.h"

#include <map>
#include <memory>

#include "base/assert.h"
#include "codec/events_json.h"
#include "core/events.h"
#include "services/common/lifecycle.h"

namespace of::services {

namespace {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) continue;  // ids are validated; never expected
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace

OrderService::OrderService(store::Store& store, ServiceContext& context, OrderServiceOptions options)
    : store_(store), context_(context), options_(std::move(options)) {}

void OrderService::create_order(codec::CreateOrderRequest request, std::string traceparent,
                                std::function<void(Result<OrderView>)> done) {
  auto result = std::make_shared<std::optional<Result<OrderView>>>();
  auto shared_request = std::make_shared<codec::CreateOrderRequest>(std::move(request));
  OrderId order_id(context_.new_id());
  store_.submit(
      [this, result, shared_request, order_id, traceparent = std::move(traceparent)](store::Tx& tx) -> Status {
        auto created = create_in(tx, *shared_request, order_id, traceparent);
        Status status = created.status();
        result->emplace(std::move(created));
        return status;
      },
      [result, done = std::move(done)](const Status& status) {
        if (!status.is_ok()) {
          done(status);
          return;
        }
        done(std::move(**result));
      });
}

Result<OrderView> OrderService::create_in(store::Tx& tx, const codec::CreateOrderRequest& request,
                                          const OrderId& order_id, const std::string& traceparent) {
  if (request.currency != options_.catalog_currency.code()) {
    return Status::invalid("currency " + request.currency + " is not the catalog currency " +
                               options_.catalog_currency.code() + "; send prices in " +
                               options_.catalog_currency.code(),
                           "/currency");
  }
  // Products, client price checks and the summed demand per product.
  std::vector<core::Product> products;
  products.reserve(request.lines.size());
  std::map<Sku, int64_t> demand;
  std::string mismatches;
  std::string first_mismatch_field;
  for (size_t i = 0; i < request.lines.size(); ++i) {
    const auto& line = request.lines[i];
    const std::string at = "/lines/" + std::to_string(i);
    OF_ASSIGN_OR_RETURN(auto product, tx.get_product(line.product_id));
    if (!product) {
      return Status::invalid("unknown product " + line.product_id.str() + "; GET /v1/products lists the catalog",
                             at + "/productId");
    }
    if (!(product->currency == options_.catalog_currency)) {
      return Status::internal("product " + product->id.str() + " is priced in " + product->currency.code() +
                              ", not the catalog currency");
    }
    if (line.price && *line.price != product->price_minor) {
      if (!mismatches.empty()) mismatches += ",";
      mismatches += "{\"productId\":" + json_string(product->id.str()) +
                    ",\"expectedPrice\":" + std::to_string(*line.price) +
                    ",\"currentPrice\":" + std::to_string(product->price_minor) + "}";
      if (first_mismatch_field.empty()) first_mismatch_field = at + "/price";
    }
    demand[line.product_id] += line.quantity;
    products.push_back(std::move(*product));
  }
  if (!mismatches.empty()) {
    return Status::conflict("the price of one or more products has changed; review the current prices and "
                            "send the order again",
                            first_mismatch_field)
        .with_problem("price-changed", "{\"currentPrices\":[" + mismatches + "]}");
  }

  std::vector<core::PricingInput> inputs;
  inputs.reserve(products.size());
  for (size_t i = 0; i < products.size(); ++i) inputs.push_back({&products[i], request.lines[i].quantity});
  OF_ASSIGN_OR_RETURN(auto priced, core::price_order(inputs, request.shipping_address, options_.taxes,
                                                     options_.shipping));

  // Availability now. The reservation itself happens in the inventory service,
  // atomically; this check spares a customer an order that cannot succeed.
  std::string shortages;
  for (const auto& [sku, quantity] : demand) {
    OF_ASSIGN_OR_RETURN(auto stock, tx.get_stock(sku));
    int64_t available = stock ? stock->available() : 0;
    if (available < quantity) {
      if (!shortages.empty()) shortages += ",";
      shortages += "{\"productId\":" + json_string(sku.str()) + ",\"requested\":" + std::to_string(quantity) +
                   ",\"available\":" + std::to_string(available) + "}";
    }
  }
  if (!shortages.empty()) {
    return Status::conflict("not enough stock for one or more products; reduce the quantities or try later")
        .with_problem("out-of-stock", "{\"shortages\":[" + shortages + "]}");
  }

  const TimeMs now = context_.now_ms();
  core::Order order;
  order.id = order_id;
  order.customer_id = request.customer_id;
  order.status = core::OrderStatus::kPending;
  order.currency = options_.catalog_currency;
  order.lines = std::move(priced.lines);
  order.totals = priced.totals;
  order.shipping_address = request.shipping_address;
  order.payment_token = request.payment_token;
  order.source = request.source;
  order.traceparent = traceparent;
  order.created_at_ms = now;
  order.updated_at_ms = now;
  order.version = 1;
  OF_RETURN_IF_ERROR(tx.insert_order(order));

  core::OrderCreatedData created;
  created.order_id = order.id;
  created.customer_id = order.customer_id;
  for (const auto& line : order.lines) created.items.push_back({line.product_id, line.quantity, line.unit_price_minor});
  created.total_amount = order.totals.total_minor;
  created.timestamp = now;
  created.metadata_source = order.source;
  created.metadata_version = std::string(core::kEventSchemaVersion);
  OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kOrderCreated, kSourceOrders, order.id.str(),
                          codec::encode(created), traceparent)
                         .status());

  core::OrderStatusChangedData changed;
  changed.order_id = order.id;
  changed.customer_id = order.customer_id;
  changed.to = std::string(core::to_string(core::OrderStatus::kPending));
  changed.reason = "order accepted";
  changed.timestamp = now;
  OF_ASSIGN_OR_RETURN(int64_t seq, emit(tx, context_, core::event_type::kOrderStatusChanged, kSourceOrders,
                                        order.id.str(), codec::encode(changed), traceparent));
  core::StatusChange change;
  change.event_seq = seq;
  change.to = core::OrderStatus::kPending;
  change.reason = changed.reason;
  change.at_ms = now;
  OF_RETURN_IF_ERROR(tx.append_status_change(order.id, change));
  return OrderView{std::move(order), {change}};
}

void OrderService::cancel_order(const OrderId& order_id, std::string reason,
                                std::function<void(Result<OrderView>)> done) {
  auto result = std::make_shared<std::optional<Result<OrderView>>>();
  store_.submit(
      [this, result, order_id, reason = std::move(reason)](store::Tx& tx) -> Status {
        auto cancel = cancel_in(tx, order_id, reason);
        Status status = cancel.status();
        result->emplace(std::move(cancel));
        return status;
      },
      [result, done = std::move(done)](const Status& status) {
        if (!status.is_ok()) {
          done(status);
          return;
        }
        done(std::move(**result));
      });
}

Result<OrderView> OrderService::cancel_in(store::Tx& tx, const OrderId& order_id, const std::string& reason) {
  OF_ASSIGN_OR_RETURN(auto found, tx.get_order(order_id));
  if (!found) return Status::not_found("order " + order_id.str() + " does not exist");
  core::Order order = std::move(*found);
  if (!core::is_cancellable(order.status)) {
    return Status::conflict("order " + order_id.str() + " is " + std::string(core::to_string(order.status)) +
                            " and can no longer be cancelled")
        .with_problem("not-cancellable");
  }
  const bool refund_due = order.status == core::OrderStatus::kPaid;
  const std::string why = reason.empty() ? "cancelled by request" : reason;
  OF_RETURN_IF_ERROR(transition(tx, context_, order, core::OrderStatus::kCancelled, why));
  core::OrderCancelledData data;
  data.order_id = order.id;
  data.reason = why;
  data.refund_due = refund_due;
  data.timestamp = context_.now_ms();
  OF_RETURN_IF_ERROR(emit(tx, context_, core::event_type::kOrderCancelled, kSourceOrders, order.id.str(),
                          codec::encode(data), order.traceparent)
                         .status());
  OF_ASSIGN_OR_RETURN(auto history, tx.status_history(order.id));
  return OrderView{std::move(order), std::move(history)};
}

void OrderService::create_order(codec::CreateOrderRequest request, std::string traceparent, IdempotencyToken token,
                                std::function<void(Result<KeyedAnswer>)> done) {
  OrderId order_id(context_.new_id());
  submit_keyed(
      std::move(token),
      [this, request = std::move(request), order_id,
       traceparent = std::move(traceparent)](store::Tx& tx) -> Result<KeyedAnswer> {
        OF_ASSIGN_OR_RETURN(auto view, create_in(tx, request, order_id, traceparent));
        return KeyedAnswer{201, codec::encode_order(view.order, view.history), "/v1/orders/" + view.order.id.str(),
                           false};
      },
      std::move(done));
}

void OrderService::cancel_order(const OrderId& order_id, std::string reason, IdempotencyToken token,
                                std::function<void(Result<KeyedAnswer>)> done) {
  submit_keyed(
      std::move(token),
      [this, order_id, reason = std::move(reason)](store::Tx& tx) -> Result<KeyedAnswer> {
        OF_ASSIGN_OR_RETURN(auto view, cancel_in(tx, order_id, reason));
        return KeyedAnswer{200, codec::encode_order(view.order, view.history), "", false};
      },
      std::move(done));
}

void OrderService::submit_keyed(IdempotencyToken token, std::function<Result<KeyedAnswer>(store::Tx&)> work,
                                std::function<void(Result<KeyedAnswer>)> done) {
  auto result = std::make_shared<KeyedAnswer>();
  store_.submit(
      [this, result, token = std::move(token), work = std::move(work)](store::Tx& tx) -> Status {
        const TimeMs now = context_.now_ms();
        OF_ASSIGN_OR_RETURN(auto stored, tx.get_idempotent(token.key));
        // A record past its TTL that retention has not pruned yet counts as absent.
        if (stored && stored->created_at_ms > now - options_.idempotency_ttl_ms) {
          if (stored->request_hash != token.request_hash) {
            return Status::conflict("this Idempotency-Key was already used for a different request; use a new key "
                                    "for a new request",
                                    "Idempotency-Key")
                .with_problem("idempotency-key-reused");
          }
          *result = KeyedAnswer{stored->status, std::move(stored->body), std::move(stored->location), true};
          return Status::ok();
        }
        OF_ASSIGN_OR_RETURN(*result, work(tx));
        OF_ASSERT(result->status >= 200 && result->status < 300);
        store::IdempotencyRecord record;
        record.key = token.key;
        record.request_hash = token.request_hash;
        record.status = result->status;
        record.body = result->body;
        record.location = result->location;
        record.created_at_ms = now;
        return tx.put_idempotent(record);
      },
      [result, done = std::move(done)](const Status& status) {
        if (!status.is_ok()) {
          done(status);
          return;
        }
        done(std::move(*result));
      });
}

Result<OrderView> OrderService::get_order(const OrderId& order_id) {
  std::optional<OrderView> view;
  OF_RETURN_IF_ERROR(store_.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(auto order, tx.get_order(order_id));
    if (!order) return Status::not_found("order " + order_id.str() + " does not exist");
    OF_ASSIGN_OR_RETURN(auto history, tx.status_history(order_id));
    view = OrderView{std::move(*order), std::move(history)};
    return Status::ok();
  }));
  return std::move(*view);
}

Result<std::vector<core::Order>> OrderService::list_orders(const store::OrderFilter& filter) {
  std::vector<core::Order> orders;
  OF_RETURN_IF_ERROR(store_.read([&](store::Tx& tx) -> Status {
    OF_ASSIGN_OR_RETURN(orders, tx.list_orders(filter));
    return Status::ok();
  }));
  return orders;
}

}  // namespace of::services
