// OrderService: takes an order, validates and prices it from the catalog,
// checks availability, and persists it with its OrderCreated event in one
// transaction; cancels orders; reads them back.
//
// Writes are asynchronous: the unit runs on the store's writer thread and the
// callback fires there once the order is durable (so a 201 is never sent for
// an order a crash could lose). Reads run on the caller's thread. Thread-safe.
#pragma once

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

  // Cancels an order that has not shipped yet (PENDING, RESERVED, PAID):
  // emits OrderCancelled; the inventory service releases the stock and the
  // payment service refunds a paid order. kNotFound, or kConflict when it is
  // too late.
  void cancel_order(const OrderId& order_id, std::string reason, std::function<void(Result<OrderView>)> done);

  Result<OrderView> get_order(const OrderId& order_id);
  Result<std::vector<core::Order>> list_orders(const store::OrderFilter& filter);

  const OrderServiceOptions& options() const { return options_; }

 private:
  Result<OrderView> create_in(store::Tx& tx, const codec::CreateOrderRequest& request, const OrderId& order_id,
                              const std::string& traceparent);

  store::Store& store_;
  ServiceContext& context_;
  OrderServiceOptions options_;
};

}  // namespace of::services
