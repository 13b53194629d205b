// Carrier: the port to the parcel carrier that delivers a shipment.
//
// deliver() blocks (job worker thread) and is idempotent by tracking number.
// Adapters: providers/ has a simulated carrier that delivers after the job's
// scheduled delay; a real carrier integration would poll or take webhooks.
#pragma once

#include <string>

namespace of::services {

struct CarrierResult {
  enum class Outcome { kDelivered, kFailed, kTransientError };
  Outcome outcome = Outcome::kTransientError;
  std::string message;
};

class Carrier {
 public:
  virtual ~Carrier() = default;
  virtual std::string name() const = 0;
  virtual CarrierResult deliver(const std::string& tracking_number) = 0;
};

}  // namespace of::services
