// InventoryService: reserves stock for new orders, all lines or none, and
// releases or commits reservations. Owns every write to stock levels.
//
// Subscription "inventory":
//   OrderCreated   -> reserve the summed demand per product atomically, emit
//                     InventoryReserved (order RESERVED) or
//                     InventoryReservationFailed (order REJECTED);
//   PaymentFailed  -> release the reservation, order CANCELLED;
//   OrderCancelled -> release the reservation if it is still held.
// Every stock change checks the product's low-stock threshold: LowStock is
// emitted once when available stock drops below it, and re-armed (no event)
// when available recovers to it, so the event fires once per crossing.
// Job "reservation.expire" fires at a reservation's expiresAt: an unpaid order
// whose payment is no longer in flight is cancelled and its stock released;
// while a payment is in flight the reservation is extended instead.
// Handlers run on the store's writer thread; admin calls on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "jobs/job_runner.h"
#include "services/common/context.h"
#include "store/store.h"

namespace of::services {

inline constexpr int64_t kOnHandMax = 1'000'000'000;
inline constexpr int64_t kLowStockThresholdMax = 1'000'000'000;
inline constexpr int64_t kLowStockThresholdDefault = 10;

struct InventoryOptions {
  int64_t reservation_ttl_ms = 15 * 60 * 1000;
  int64_t payment_extension_ms = 60 * 1000;  // how far an in-flight payment pushes expiry
  // For products without their own threshold (inventory.low_stock_threshold).
  int64_t low_stock_threshold = kLowStockThresholdDefault;
};

// Called after every change to `stock`, before it is written with put_stock in
// the same transaction: emits LowStock and sets low_stock_alerted when
// available fell below the threshold, clears it when available recovered.
Status check_low_stock(store::Tx& tx, ServiceContext& context, core::StockLevel& stock, int64_t default_threshold,
                       const std::string& traceparent);

// The one release path (payment failure, cancellation, expiry): returns the
// units to available stock and emits InventoryReleased. No-op when the order
// holds no active reservation.
Status release_reservation(store::Tx& tx, ServiceContext& context, const core::Order& order, const std::string& reason,
                           int64_t low_stock_threshold_default);

// Shipping: the reserved units leave stock (reserved and on_hand down, sold up).
Status commit_reservation(store::Tx& tx, ServiceContext& context, const core::Order& order,
                          int64_t low_stock_threshold_default);

class InventoryService {
 public:
  InventoryService(store::Store& store, ServiceContext& context, InventoryOptions options);

  void register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry);

  // Admin: sets on-hand stock (0..kOnHandMax) and, when given, the product's
  // low-stock threshold (0..kLowStockThresholdMax). kConflict when fewer than
  // the units reserved now. Creates the stock row for a known product.
  void set_on_hand(const Sku& product_id, int64_t on_hand, std::optional<int64_t> low_stock_threshold,
                   std::function<void(Result<core::StockLevel>)> done);
  Result<core::StockLevel> get_stock(const Sku& product_id);
  // Stock rows after `after` in product order, at most `limit`; with
  // low_only, only those whose available stock is below their threshold
  // (scanning the table in pages until `limit` rows are found).
  Result<std::vector<core::StockLevel>> list_stock(const std::optional<Sku>& after, int limit, bool low_only);
  int64_t default_low_stock_threshold() const { return options_.low_stock_threshold; }
  int64_t low_stock_threshold(const core::StockLevel& stock) const {
    return stock.effective_low_stock_threshold(options_.low_stock_threshold);
  }

 private:
  Status on_order_created(store::Tx& tx, const core::Event& event);
  Status on_payment_failed(store::Tx& tx, const core::Event& event);
  Status on_order_cancelled(store::Tx& tx, const core::Event& event);
  Status on_reservation_expired(store::Tx& tx, const core::Job& job);

  store::Store& store_;
  ServiceContext& context_;
  InventoryOptions options_;
};

}  // namespace of::services
