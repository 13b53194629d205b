// RateLimiter: admission control at the HTTP edge. A token bucket per client
// address (requests per second with a burst), and a global cap on requests in
// flight (from Api::handle until the answer goes out).
//
// Owned by the composition root (app/), shared by every HTTP I/O thread: all
// methods are thread-safe (one mutex for the buckets, an atomic for the
// in-flight count). Time comes from the injected Clock's monotonic_us, so
// tests drive it with a ManualClock. Memory is bounded: at most clients_max
// buckets; the least recently seen is evicted first, and buckets that have
// refilled completely (idle clients) are dropped as they are passed over.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"

namespace of::gateway {

inline constexpr int64_t kRateLimitClientsMax = 100'000;

struct RateLimitOptions {
  bool enabled = true;
  int64_t per_client_rps = 200;                // bucket refill, tokens per second
  int64_t per_client_burst = 400;              // bucket size
  int64_t inflight_max = 10'000;               // requests in flight at once, every client together
  int64_t clients_max = kRateLimitClientsMax;  // buckets kept at most
};

// What one request's token costs its client.
struct RateDecision {
  bool allowed = true;
  int64_t limit = 0;          // the bucket size (burst)
  int64_t remaining = 0;      // whole tokens left after this request
  int64_t reset_s = 0;        // seconds until the bucket is full again (ceil)
  int64_t retry_after_s = 0;  // when refused: seconds until a token is back (ceil, >= 1)
};

class RateLimiter {
 public:
  RateLimiter(RateLimitOptions options, const Clock& clock);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  const RateLimitOptions& options() const { return options_; }

  // Takes one token from the bucket of `remote_address` (its port, if any, is
  // ignored): allowed while the bucket has one.
  RateDecision admit(std::string_view remote_address);

  // In-flight cap: true and counted if below inflight_max; every true must be
  // followed by exactly one leave().
  bool try_enter();
  void leave();

  int64_t inflight() const { return inflight_.load(std::memory_order_relaxed); }
  size_t client_count() const;

  // "10.0.0.1:5000" -> "10.0.0.1", "[::1]:80" -> "::1"; a bare address as is.
  static std::string_view client_key(std::string_view remote_address);

 private:
  // Tokens are kept in millionths, so a refill of rps tokens per second is rps
  // units per microsecond: integer arithmetic, no drift.
  static constexpr int64_t kTokenUnits = 1'000'000;
  struct Bucket {
    int64_t units = 0;
    int64_t updated_us = 0;
    std::list<std::string>::iterator recency;  // position in recency_ (front: most recent)
  };
  void refill(Bucket& bucket, int64_t now_us) const;
  bool is_full_at(const Bucket& bucket, int64_t now_us) const;
  int64_t ceil_seconds(int64_t units_short) const;  // time to gain units_short, in whole seconds

  const RateLimitOptions options_;
  const Clock& clock_;
  const int64_t capacity_units_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;  // guarded by mutex_
  std::list<std::string> recency_;                   // guarded by mutex_
  std::atomic<int64_t> inflight_{0};
};

}  // namespace of::gateway
