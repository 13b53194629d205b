// The order lifecycle and the one state machine that guards it.
//
//   PENDING -> RESERVED -> PAID -> SHIPPED -> DELIVERED
//   PENDING -> REJECTED                       (invalid, out of stock)
//   RESERVED -> PAYMENT_FAILED -> CANCELLED   (reservation released)
//   PENDING | RESERVED | PAID -> CANCELLED    (by the customer, before shipping; refund if paid)
//   CANCELLED (after PAID) -> REFUNDED | PARTIALLY_REFUNDED
//   PAID | SHIPPED | DELIVERED -> REFUNDED | PARTIALLY_REFUNDED (admin refunds)
//   PARTIALLY_REFUNDED -> REFUNDED
//
// Pure: no I/O, no clock. An illegal transition is an error, never a no-op.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace of::core {

enum class OrderStatus {
  kPending,
  kReserved,
  kPaid,
  kShipped,
  kDelivered,
  kRejected,
  kPaymentFailed,
  kCancelled,
  kRefunded,
  kPartiallyRefunded,
};

inline constexpr OrderStatus kAllOrderStatuses[] = {
    OrderStatus::kPending,   OrderStatus::kReserved,      OrderStatus::kPaid,
    OrderStatus::kShipped,   OrderStatus::kDelivered,     OrderStatus::kRejected,
    OrderStatus::kPaymentFailed, OrderStatus::kCancelled, OrderStatus::kRefunded,
    OrderStatus::kPartiallyRefunded,
};

// "PENDING", "RESERVED", ..., "PARTIALLY_REFUNDED".
std::string_view to_string(OrderStatus status);
std::optional<OrderStatus> parse_order_status(std::string_view text);

// True when no further lifecycle transition is expected without an operator
// (DELIVERED, REJECTED, CANCELLED, REFUNDED, PARTIALLY_REFUNDED).
bool is_terminal(OrderStatus status);

// True while the customer may still cancel (before shipping).
bool is_cancellable(OrderStatus status);

// Ok when from -> to is a legal transition; kConflict naming both states otherwise.
Status check_transition(OrderStatus from, OrderStatus to);

// Every legal target from `from` (for tests and docs).
std::vector<OrderStatus> legal_targets(OrderStatus from);

}  // namespace of::core
