// OrderService: takes an order, validates and prices it from the catalog,
// checks availability, and persists it with its OrderCreated event in one
// transaction; cancels orders; reads them back.
//
// Writes are asynchronous: the unit runs on the store's writer thread and the
// callback fires there once the order is durable (so a 201 is never sent for
// an order a crash could lose). Reads run on the caller's thread. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "codec/api_json.h"
#include "core/pricing.h"
#include "services/common/context.h"
#include "store/store.h"

namespace of::services {

struct OrderServiceOptions {
  core::Currency catalog_currency;
  core::TaxTable taxes;
  core::ShippingTable shipping;
  // How long an Idempotency-Key's first answer is replayed (config idempotency.ttl_ms).
  int64_t idempotency_ttl_ms = 24LL * 3'600'000;
};

// A request sent with an Idempotency-Key: the key (validated by the gateway)
// and a digest of the request (method, path, body).
struct IdempotencyToken {
  std::string key;
  std::string request_hash;
};

// The answer to a keyed request: either this request's own (2xx) answer, now
// stored under the key in the same transaction as the work it reports, or the
// stored first answer (`replayed`), in which case nothing was done again.
struct KeyedAnswer {
  int status = 0;
  std::string body;
  std::string location;  // empty when none
  bool replayed = false;
};

struct OrderView {
  core::Order order;
  std::vector<core::StatusChange> history;
};

class OrderService {
 public:
  OrderService(store::Store& store, ServiceContext& context, OrderServiceOptions options);

  // Outcomes through `done` (on the store's writer thread):
  //  - the created order (status PENDING) once it is durable;
  //  - kInvalidArgument naming the field: unknown product, wrong currency;
  //  - kConflict "price-changed" with the current prices when a client price differs;
  //  - kConflict "out-of-stock" with what is available when stock is short now;
  //  - kLimitExceeded when the store's queue is full or an amount overflows.
  void create_order(codec::CreateOrderRequest request, std::string traceparent,
                    std::function<void(Result<OrderView>)> done);
  // The same with an Idempotency-Key: the 201 answer (body from
  // codec::encode_order) is stored with the order in one transaction. The same
  // key and request again within the TTL answer the stored 201 without
  // creating anything; the same key with another request is kConflict
  // "idempotency-key-reused". Failed requests store nothing (a retry with the
  // same key runs again). Keyed requests are serialised by the store's single
  // writer, so a concurrent duplicate sees the first's record.
  void create_order(codec::CreateOrderRequest request, std::string traceparent, IdempotencyToken token,
                    std::function<void(Result<KeyedAnswer>)> done);

  // Cancels an order that has not shipped yet (PENDING, RESERVED, PAID):
  // emits OrderCancelled; the inventory service releases the stock and the
  // payment service refunds a paid order. kNotFound, or kConflict when it is
  // too late.
  void cancel_order(const OrderId& order_id, std::string reason, std::function<void(Result<OrderView>)> done);
  // The same with an Idempotency-Key (semantics as for create_order; the stored answer is the 200).
  void cancel_order(const OrderId& order_id, std::string reason, IdempotencyToken token,
                    std::function<void(Result<KeyedAnswer>)> done);

  Result<OrderView> get_order(const OrderId& order_id);
  Result<std::vector<core::Order>> list_orders(const store::OrderFilter& filter);

  const OrderServiceOptions& options() const { return options_; }

 private:
  Result<OrderView> create_in(store::Tx& tx, const codec::CreateOrderRequest& request, const OrderId& order_id,
                              const std::string& traceparent);
  Result<OrderView> cancel_in(store::Tx& tx, const OrderId& order_id, const std::string& reason);
  // Runs `work` in one unit guarded by `token`: replays a live stored answer,
  // refuses a reused key, or does the work and stores its answer with it.
  void submit_keyed(IdempotencyToken token, std::function<Result<KeyedAnswer>(store::Tx&)> work,
                    std::function<void(Result<KeyedAnswer>)> done);

  store::Store& store_;
  ServiceContext& context_;
  OrderServiceOptions options_;
};

}  // namespace of::services
