// ServiceContext: what every service needs from the process, and nothing else:
// the clock, id generation and randomness. Owned by the composition root
// (app/), shared by all services; every member is thread-safe.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/random.h"

namespace of::services {

struct ServiceContext {
  const Clock& clock;
  Random& random;
  UuidV7Generator& ids;

  TimeMs now_ms() const { return clock.now_ms(); }
  std::string new_id() { return ids.next(); }
};

}  // namespace of::services
