#include "core/order_status.h"

#include <string>

namespace of::core {
namespace {

struct Transition {
  OrderStatus from;
  OrderStatus to;
};

// The legal set, exactly as drawn in order_status.h; anything not listed is illegal.
constexpr Transition kTransitions[] = {
    // The happy path.
    {OrderStatus::kPending, OrderStatus::kReserved},
    {OrderStatus::kReserved, OrderStatus::kPaid},
    {OrderStatus::kPaid, OrderStatus::kShipped},
    {OrderStatus::kShipped, OrderStatus::kDelivered},
    // Invalid or out of stock.
    {OrderStatus::kPending, OrderStatus::kRejected},
    // Payment failed; the reservation is released and the order cancelled.
    {OrderStatus::kReserved, OrderStatus::kPaymentFailed},
    {OrderStatus::kPaymentFailed, OrderStatus::kCancelled},
    // Cancelled by the customer before shipping.
    {OrderStatus::kPending, OrderStatus::kCancelled},
    {OrderStatus::kReserved, OrderStatus::kCancelled},
    {OrderStatus::kPaid, OrderStatus::kCancelled},
    // The refund of a cancelled paid order.
    {OrderStatus::kCancelled, OrderStatus::kRefunded},
    {OrderStatus::kCancelled, OrderStatus::kPartiallyRefunded},
    // Admin refunds, full or partial.
    {OrderStatus::kPaid, OrderStatus::kRefunded},
    {OrderStatus::kShipped, OrderStatus::kRefunded},
    {OrderStatus::kDelivered, OrderStatus::kRefunded},
    {OrderStatus::kPaid, OrderStatus::kPartiallyRefunded},
    {OrderStatus::kShipped, OrderStatus::kPartiallyRefunded},
    {OrderStatus::kDelivered, OrderStatus::kPartiallyRefunded},
    {OrderStatus::kPartiallyRefunded, OrderStatus::kRefunded},
};

}  // namespace

std::string_view to_string(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPending: return "PENDING";
    case OrderStatus::kReserved: return "RESERVED";
    case OrderStatus::kPaid: return "PAID";
    case OrderStatus::kShipped: return "SHIPPED";
    case OrderStatus::kDelivered: return "DELIVERED";
    case OrderStatus::kRejected: return "REJECTED";
    case OrderStatus::kPaymentFailed: return "PAYMENT_FAILED";
    case OrderStatus::kCancelled: return "CANCELLED";
    case OrderStatus::kRefunded: return "REFUNDED";
    case OrderStatus::kPartiallyRefunded: return "PARTIALLY_REFUNDED";
  }
  OF_ASSERT_MSG(false, "unknown OrderStatus value");
}

std::optional<OrderStatus> parse_order_status(std::string_view text) {
  for (OrderStatus status : kAllOrderStatuses) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

bool is_terminal(OrderStatus status) {
  switch (status) {
    case OrderStatus::kDelivered:
    case OrderStatus::kRejected:
    case OrderStatus::kCancelled:
    case OrderStatus::kRefunded:
    case OrderStatus::kPartiallyRefunded: return true;
    default: return false;
  }
}

bool is_cancellable(OrderStatus status) {
  return status == OrderStatus::kPending || status == OrderStatus::kReserved || status == OrderStatus::kPaid;
}

Status check_transition(OrderStatus from, OrderStatus to) {
  for (const Transition& transition : kTransitions) {
    if (transition.from == from && transition.to == to) return Status::ok();
  }
  std::string message = "order cannot go from ";
  message += to_string(from);
  message += " to ";
  message += to_string(to);
  return Status::conflict(std::move(message));
}

std::vector<OrderStatus> legal_targets(OrderStatus from) {
  std::vector<OrderStatus> targets;
  for (const Transition& transition : kTransitions) {
    if (transition.from == from) targets.push_back(transition.to);
  }
  return targets;
}

}  // namespace of::core
