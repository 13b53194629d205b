// InventoryService: reserves stock for new orders, all lines or none, and
// releases or commits reservations. Owns every write to stock levels.
//
// Subscription "inventory":
//   OrderCreated   -> reserve the summed demand per product atomically, emit
//                     InventoryReserved (order RESERVED) or
//                     InventoryReservationFailed (order REJECTED);
//   PaymentFailed  -> release the reservation, order CANCELLED;
//   OrderCancelled -> release the reservation if it is still held.
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

struct InventoryOptions {
  int64_t reservation_ttl_ms = 15 * 60 * 1000;
  int64_t payment_extension_ms = 60 * 1000;  // how far an in-flight payment pushes expiry
};

// The one release path (payment failure, cancellation, expiry): returns the
// units to available stock and emits InventoryReleased. No-op when the order
// holds no active reservation.
Status release_reservation(store::Tx& tx, ServiceContext& context, const core::Order& order,
                           const std::string& reason);

// Shipping: the reserved units leave stock (reserved and on_hand down, sold up).
Status commit_reservation(store::Tx& tx, ServiceContext& context, const core::Order& order);

class InventoryService {
 public:
  InventoryService(store::Store& store, ServiceContext& context, InventoryOptions options);

  void register_with(bus::Bus& bus, jobs::JobRunner& runner, const bus::RetryPolicy& retry);

  // Admin: sets on-hand stock (0..kOnHandMax). kConflict when fewer than the
  // units reserved now. Creates the stock row for a known product.
  void set_on_hand(const Sku& product_id, int64_t on_hand, std::function<void(Result<core::StockLevel>)> done);
  Result<core::StockLevel> get_stock(const Sku& product_id);

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
