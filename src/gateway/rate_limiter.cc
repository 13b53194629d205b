#include "gateway/rate_limiter.h"

#include <algorithm>

#include "base/assert.h"

namespace of::gateway {

namespace {

// Full buckets looked at (and dropped) past the least recent one per admit():
// enough to keep idle clients from piling up, small enough to stay O(1).
constexpr int kIdleSweepMax = 4;

}  // namespace

RateLimiter::RateLimiter(RateLimitOptions options, const Clock& clock)
    : options_(options), clock_(clock), capacity_units_(options.per_client_burst * kTokenUnits) {
  OF_ASSERT(options_.per_client_rps >= 1 && options_.per_client_rps <= 1'000'000);
  OF_ASSERT(options_.per_client_burst >= 1 && options_.per_client_burst <= 10'000'000);
  OF_ASSERT(options_.inflight_max >= 1);
  OF_ASSERT(options_.clients_max >= 1);
}

std::string_view RateLimiter::client_key(std::string_view remote_address) {
  if (!remote_address.empty() && remote_address.front() == '[') {
    const size_t close = remote_address.find(']');
    if (close != std::string_view::npos) return remote_address.substr(1, close - 1);
    return remote_address;
  }
  const size_t colon = remote_address.find(':');
  // Exactly one colon: IPv4 with a port. More: a bare IPv6 address, kept whole.
  if (colon != std::string_view::npos && remote_address.find(':', colon + 1) == std::string_view::npos) {
    return remote_address.substr(0, colon);
  }
  return remote_address;
}

void RateLimiter::refill(Bucket& bucket, int64_t now_us) const {
  const int64_t elapsed_us = std::max<int64_t>(0, now_us - bucket.updated_us);
  bucket.updated_us = now_us;
  const int64_t short_units = capacity_units_ - bucket.units;
  // Compare before multiplying: a long idle time times the rate could overflow.
  if (elapsed_us >= short_units / options_.per_client_rps + 1) {
    bucket.units = capacity_units_;
  } else {
    bucket.units = std::min(capacity_units_, bucket.units + elapsed_us * options_.per_client_rps);
  }
}

bool RateLimiter::is_full_at(const Bucket& bucket, int64_t now_us) const {
  const int64_t elapsed_us = std::max<int64_t>(0, now_us - bucket.updated_us);
  const int64_t short_units = capacity_units_ - bucket.units;
  return elapsed_us >= (short_units + options_.per_client_rps - 1) / options_.per_client_rps;
}

int64_t RateLimiter::ceil_seconds(int64_t units_short) const {
  if (units_short <= 0) return 0;
  const int64_t wait_us = (units_short + options_.per_client_rps - 1) / options_.per_client_rps;
  return (wait_us + 999'999) / 1'000'000;
}

RateDecision RateLimiter::admit(std::string_view remote_address) {
  const int64_t now_us = clock_.monotonic_us();
  const std::string key(client_key(remote_address));
  std::lock_guard lock(mutex_);
  auto found = buckets_.find(key);
  if (found == buckets_.end()) {
    while (static_cast<int64_t>(buckets_.size()) >= options_.clients_max) {
      // The least recently seen client loses its bucket: memory stays bounded
      // even when every bucket is busy (it starts again from a full one).
      buckets_.erase(recency_.back());
      recency_.pop_back();
    }
    recency_.push_front(key);
    found = buckets_.emplace(key, Bucket{capacity_units_, now_us, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, found->second.recency);
  }
  Bucket& bucket = found->second;
  refill(bucket, now_us);

  RateDecision decision;
  decision.limit = options_.per_client_burst;
  if (bucket.units >= kTokenUnits) {
    bucket.units -= kTokenUnits;
    decision.allowed = true;
  } else {
    decision.allowed = false;
    decision.retry_after_s = std::max<int64_t>(1, ceil_seconds(kTokenUnits - bucket.units));
  }
  decision.remaining = bucket.units / kTokenUnits;
  decision.reset_s = ceil_seconds(capacity_units_ - bucket.units);

  // Idle clients whose buckets are full again cost memory and tell nothing.
  for (int i = 0; i < kIdleSweepMax && recency_.size() > 1; ++i) {
    auto idle = buckets_.find(recency_.back());
    OF_ASSERT(idle != buckets_.end());
    if (&idle->second == &bucket || !is_full_at(idle->second, now_us)) break;
    buckets_.erase(idle);
    recency_.pop_back();
  }
  return decision;
}

bool RateLimiter::try_enter() {
  if (inflight_.fetch_add(1, std::memory_order_relaxed) >= options_.inflight_max) {
    inflight_.fetch_sub(1, std::memory_order_relaxed);
    return false;
  }
  return true;
}

void RateLimiter::leave() {
  const int64_t before = inflight_.fetch_sub(1, std::memory_order_relaxed);
  OF_ASSERT(before > 0);
}

size_t RateLimiter::client_count() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace of::gateway
