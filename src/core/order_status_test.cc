#include "core/order_status.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>

#include "core/model.h"

namespace of::core {
namespace {

using S = OrderStatus;

// The legal transitions, written out independently of the implementation's table
// so that a change to either shows up here.
const std::set<std::pair<S, S>>& expected_legal() {
  static const std::set<std::pair<S, S>> kLegal = {
      {S::kPending, S::kReserved},
      {S::kPending, S::kRejected},
      {S::kPending, S::kCancelled},
      {S::kReserved, S::kPaid},
      {S::kReserved, S::kPaymentFailed},
      {S::kReserved, S::kCancelled},
      {S::kPaid, S::kShipped},
      {S::kPaid, S::kCancelled},
      {S::kPaid, S::kPartiallyRefunded},
      {S::kPaid, S::kRefunded},
      {S::kShipped, S::kRefunded},
      {S::kDelivered, S::kRefunded},
      {S::kShipped, S::kDelivered},
      {S::kShipped, S::kPartiallyRefunded},
      {S::kDelivered, S::kPartiallyRefunded},
      {S::kPaymentFailed, S::kCancelled},
      {S::kCancelled, S::kRefunded},
      {S::kCancelled, S::kPartiallyRefunded},
      {S::kPartiallyRefunded, S::kRefunded},
  };
  return kLegal;
}

TEST(OrderStatusTest, EveryPairIsLegalExactlyWhenExpected) {
  int legal = 0;
  int illegal = 0;
  for (S from : kAllOrderStatuses) {
    for (S to : kAllOrderStatuses) {
      Status status = check_transition(from, to);
      std::string pair = std::string(to_string(from)) + " -> " + std::string(to_string(to));
      if (expected_legal().contains({from, to})) {
        EXPECT_TRUE(status.is_ok()) << pair << ": " << status.to_string();
        ++legal;
      } else {
        ASSERT_FALSE(status.is_ok()) << pair;
        EXPECT_EQ(status.code(), Code::kConflict) << pair;
        EXPECT_EQ(status.message(),
                  "order cannot go from " + std::string(to_string(from)) + " to " + std::string(to_string(to)));
        ++illegal;
      }
    }
  }
  EXPECT_EQ(legal, 19);
  EXPECT_EQ(illegal, 100 - 19);
}

TEST(OrderStatusTest, LegalTargetsMatchCheckTransition) {
  for (S from : kAllOrderStatuses) {
    std::vector<S> targets = legal_targets(from);
    std::set<S> unique(targets.begin(), targets.end());
    EXPECT_EQ(unique.size(), targets.size()) << "duplicate target from " << to_string(from);
    for (S to : kAllOrderStatuses) {
      bool listed = unique.contains(to);
      EXPECT_EQ(listed, expected_legal().contains({from, to})) << to_string(from) << " -> " << to_string(to);
    }
  }
}

TEST(OrderStatusTest, NoStatusMayTransitionToItself) {
  for (S status : kAllOrderStatuses) EXPECT_FALSE(check_transition(status, status).is_ok()) << to_string(status);
}

TEST(OrderStatusTest, NothingLeadsBackToPending) {
  for (S from : kAllOrderStatuses) EXPECT_FALSE(check_transition(from, S::kPending).is_ok()) << to_string(from);
}

TEST(OrderStatusTest, CancellableOnlyBeforeShipping) {
  const std::set<S> cancellable = {S::kPending, S::kReserved, S::kPaid};
  for (S status : kAllOrderStatuses) {
    EXPECT_EQ(is_cancellable(status), cancellable.contains(status)) << to_string(status);
    // Cancellable means the state machine allows the cancellation.
    if (is_cancellable(status)) {
      EXPECT_TRUE(check_transition(status, S::kCancelled).is_ok());
    }
  }
}

TEST(OrderStatusTest, TerminalStatuses) {
  const std::set<S> terminal = {S::kDelivered, S::kRejected, S::kCancelled, S::kRefunded, S::kPartiallyRefunded};
  for (S status : kAllOrderStatuses) EXPECT_EQ(is_terminal(status), terminal.contains(status)) << to_string(status);
  // REJECTED and REFUNDED are final: no transition at all leaves them.
  EXPECT_TRUE(legal_targets(S::kRejected).empty());
  EXPECT_TRUE(legal_targets(S::kRefunded).empty());
}

TEST(OrderStatusTest, NamesRoundTrip) {
  const std::pair<S, std::string_view> names[] = {
      {S::kPending, "PENDING"},
      {S::kReserved, "RESERVED"},
      {S::kPaid, "PAID"},
      {S::kShipped, "SHIPPED"},
      {S::kDelivered, "DELIVERED"},
      {S::kRejected, "REJECTED"},
      {S::kPaymentFailed, "PAYMENT_FAILED"},
      {S::kCancelled, "CANCELLED"},
      {S::kRefunded, "REFUNDED"},
      {S::kPartiallyRefunded, "PARTIALLY_REFUNDED"},
  };
  ASSERT_EQ(std::size(names), std::size(kAllOrderStatuses));
  for (const auto& [status, name] : names) {
    EXPECT_EQ(to_string(status), name);
    EXPECT_EQ(parse_order_status(name), status);
  }
  for (std::string_view bad : {"", "pending", "Pending", "PENDING ", "CANCELED", "UNKNOWN"}) {
    EXPECT_EQ(parse_order_status(bad), std::nullopt) << bad;
  }
}

// The other lifecycle enums of model.h: every value has a distinct name that parses back.
template <class Enum>
void expect_names_round_trip(std::initializer_list<Enum> values, std::string_view (*name)(Enum),
                             std::optional<Enum> (*parse)(std::string_view)) {
  std::set<std::string_view> seen;
  for (Enum value : values) {
    std::string_view text = name(value);
    EXPECT_FALSE(text.empty());
    EXPECT_TRUE(seen.insert(text).second) << "duplicate name " << text;
    EXPECT_EQ(parse(text), value) << text;
  }
  EXPECT_EQ(parse(""), std::nullopt);
  EXPECT_EQ(parse("no-such-state"), std::nullopt);
}

TEST(ModelEnumTest, NamesRoundTrip) {
  expect_names_round_trip<ReservationState>(
      {ReservationState::kActive, ReservationState::kReleased, ReservationState::kCommitted}, &to_string,
      &parse_reservation_state);
  expect_names_round_trip<PaymentState>({PaymentState::kPending, PaymentState::kCaptured, PaymentState::kFailed,
                                         PaymentState::kRefunded, PaymentState::kPartiallyRefunded},
                                        &to_string, &parse_payment_state);
  expect_names_round_trip<ShipmentState>({ShipmentState::kShipped, ShipmentState::kDelivered}, &to_string,
                                         &parse_shipment_state);
  expect_names_round_trip<JobState>({JobState::kQueued, JobState::kRunning, JobState::kDone, JobState::kDead},
                                    &to_string, &parse_job_state);
  expect_names_round_trip<DeadLetterKind>({DeadLetterKind::kEvent, DeadLetterKind::kJob}, &to_string,
                                          &parse_dead_letter_kind);
  // The payment state a PaymentCompleted event reports.
  EXPECT_EQ(to_string(PaymentState::kCaptured), "CAPTURED");
}

}  // namespace
}  // namespace of::core
