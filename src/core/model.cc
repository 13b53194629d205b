#include "core/model.h"

#include <array>
#include <span>
#include <type_traits>
#include <utility>

namespace of::core {
namespace {

// Each enum's wire and column spelling, in one table per enum so that to_string
// and parse cannot drift apart.
template <class Enum>
using Name = std::pair<Enum, std::string_view>;
template <class Enum>
using NameTable = std::span<const Name<Enum>>;

constexpr auto kReservationStateNames = std::to_array<Name<ReservationState>>({
    {ReservationState::kActive, "ACTIVE"},
    {ReservationState::kReleased, "RELEASED"},
    {ReservationState::kCommitted, "COMMITTED"},
});
constexpr auto kPaymentStateNames = std::to_array<Name<PaymentState>>({
    {PaymentState::kPending, "PENDING"},
    {PaymentState::kCaptured, "CAPTURED"},
    {PaymentState::kFailed, "FAILED"},
    {PaymentState::kRefunded, "REFUNDED"},
    {PaymentState::kPartiallyRefunded, "PARTIALLY_REFUNDED"},
});
constexpr auto kShipmentStateNames = std::to_array<Name<ShipmentState>>({
    {ShipmentState::kShipped, "SHIPPED"},
    {ShipmentState::kDelivered, "DELIVERED"},
});
constexpr auto kJobStateNames = std::to_array<Name<JobState>>({
    {JobState::kQueued, "QUEUED"},
    {JobState::kRunning, "RUNNING"},
    {JobState::kDone, "DONE"},
    {JobState::kDead, "DEAD"},
});
constexpr auto kDeadLetterKindNames = std::to_array<Name<DeadLetterKind>>({
    {DeadLetterKind::kEvent, "EVENT"},
    {DeadLetterKind::kJob, "JOB"},
});

template <class Enum>
std::string_view name_of(std::type_identity_t<NameTable<Enum>> table, Enum value) {
  for (const auto& [candidate, name] : table) {
    if (candidate == value) return name;
  }
  OF_ASSERT_MSG(false, "enum value missing from its name table");
}

template <class Enum, size_t N>
std::optional<Enum> parse_name(const std::array<Name<Enum>, N>& table, std::string_view text) {
  for (const auto& [candidate, name] : table) {
    if (name == text) return candidate;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(ReservationState state) { return name_of(kReservationStateNames, state); }
std::string_view to_string(PaymentState state) { return name_of(kPaymentStateNames, state); }
std::string_view to_string(ShipmentState state) { return name_of(kShipmentStateNames, state); }
std::string_view to_string(JobState state) { return name_of(kJobStateNames, state); }
std::string_view to_string(DeadLetterKind kind) { return name_of(kDeadLetterKindNames, kind); }

std::optional<ReservationState> parse_reservation_state(std::string_view text) {
  return parse_name(kReservationStateNames, text);
}
std::optional<PaymentState> parse_payment_state(std::string_view text) { return parse_name(kPaymentStateNames, text); }
std::optional<ShipmentState> parse_shipment_state(std::string_view text) {
  return parse_name(kShipmentStateNames, text);
}
std::optional<JobState> parse_job_state(std::string_view text) { return parse_name(kJobStateNames, text); }
std::optional<DeadLetterKind> parse_dead_letter_kind(std::string_view text) {
  return parse_name(kDeadLetterKindNames, text);
}

}  // namespace of::core
