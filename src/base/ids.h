// Strong id types: an OrderId cannot be passed where a Sku is expected.
//
// Ids are opaque strings. Order, reservation, payment, shipment, event and job ids
// are UUIDv7 (time-ordered, so keyset pagination by id is pagination by creation
// time); customer ids and SKUs come from the shop and are validated at the edge.
#pragma once

#include <compare>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace of {

template <class Tag>
class Id {
 public:
  Id() = default;
  explicit Id(std::string value) : value_(std::move(value)) {}
  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }
  auto operator<=>(const Id&) const = default;
  bool operator==(const Id&) const = default;

 private:
  std::string value_;
};

using OrderId = Id<struct OrderIdTag>;
using CustomerId = Id<struct CustomerIdTag>;
using Sku = Id<struct SkuTag>;
using ReservationId = Id<struct ReservationIdTag>;
using PaymentId = Id<struct PaymentIdTag>;
using ShipmentId = Id<struct ShipmentIdTag>;
using EventId = Id<struct EventIdTag>;
using JobId = Id<struct JobIdTag>;

}  // namespace of

template <class Tag>
struct std::hash<of::Id<Tag>> {
  size_t operator()(const of::Id<Tag>& id) const noexcept { return std::hash<std::string>{}(id.str()); }
};
