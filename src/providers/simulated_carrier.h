// SimulatedCarrier: a Carrier that delivers every parcel when asked. The
// delivery delay is the job's schedule (fulfillment.delivery_delay_ms), so the
// carrier itself answers at once. Thread-safe.
#pragma once

#include "services/fulfillment/carrier.h"

namespace of::providers {

class SimulatedCarrier final : public services::Carrier {
 public:
  std::string name() const override { return "orderflow-express"; }
  services::CarrierResult deliver(const std::string& tracking_number) override {
    if (tracking_number.empty()) return {services::CarrierResult::Outcome::kFailed, "no tracking number"};
    return {services::CarrierResult::Outcome::kDelivered, {}};
  }
};

}  // namespace of::providers
