// Random: seeded randomness for ids, jitter and simulators.
//
// Production seeds from the OS; tests pass a fixed seed so runs repeat. Not
// cryptographic. Thread-safe (one mutex; callers draw a few values per order).
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

#include "base/assert.h"
#include "base/clock.h"

namespace of {

class Random {
 public:
  explicit Random(uint64_t seed);
  static uint64_t seed_from_os();

  uint64_t next_u64();
  // Uniform in [0, bound); bound > 0.
  uint64_t uniform(uint64_t bound);
  // Uniform in [0.0, 1.0).
  double unit();

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

// A UUIDv7 (RFC 9562): 48-bit Unix-ms timestamp, then random bits. Ids made in the
// same millisecond by one process still sort in creation order (a counter fills
// rand_a). Lower-case hex with dashes.
class UuidV7Generator {
 public:
  UuidV7Generator(const Clock& clock, Random& random) : clock_(clock), random_(random) {}
  std::string next();

 private:
  const Clock& clock_;
  Random& random_;
  std::mutex mutex_;
  TimeMs last_ms_ = 0;
  uint32_t counter_ = 0;
};

bool is_uuid(std::string_view text);

// The smallest UUIDv7 of a millisecond: every id made at or after time_ms
// sorts at or after it (as lower-case text too). For "older than" queries.
std::string uuid_v7_floor(TimeMs time_ms);

// Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))].
int64_t backoff_with_full_jitter_ms(Random& random, int attempt, int64_t base_ms, int64_t cap_ms);

}  // namespace of
