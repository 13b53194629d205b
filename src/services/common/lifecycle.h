// The write side of an order's lifecycle, shared by every service: emitting an
// event into the outbox, and moving an order to a new status.
//
// transition() is the only way an order's status changes. It checks the move
// with core::check_transition (an illegal move is an error, never a no-op),
// updates the order, appends the OrderStatusChanged event and records the
// change in the order's history with that event's log position, all in the
// caller's transaction.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"
#include "services/common/context.h"
#include "store/store.h"

namespace of::services {

// Source attribute of the CloudEvents each service emits.
inline constexpr std::string_view kSourceOrders = "/orderflow/orders";
inline constexpr std::string_view kSourceInventory = "/orderflow/inventory";
inline constexpr std::string_view kSourcePayments = "/orderflow/payments";
inline constexpr std::string_view kSourceFulfillment = "/orderflow/fulfillment";
inline constexpr std::string_view kSourceNotifications = "/orderflow/notifications";

// Appends an event (new UUIDv7 id, time now) and returns its log seq.
Result<int64_t> emit(store::Tx& tx, ServiceContext& context, std::string_view type, std::string_view source,
                     const std::string& subject, std::string data_json, const std::string& traceparent);

// Moves `order` to `to`, in memory and in the store; see above.
Status transition(store::Tx& tx, ServiceContext& context, core::Order& order, core::OrderStatus to,
                  std::string reason);

// Loads an order that a handler's event refers to. kNotFound is an error for a
// handler (the event references an order that is not there: retried, then
// dead-lettered), so callers just propagate it.
Result<core::Order> load_order(store::Tx& tx, const std::string& order_id);

}  // namespace of::services
