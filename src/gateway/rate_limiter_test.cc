#include "gateway/rate_limiter.h"

#include <gtest/gtest.h>

#include <string>

namespace of::gateway {
namespace {

constexpr TimeMs kStartMs = 1'764'000'000'000;

RateLimitOptions options(int64_t rps, int64_t burst) {
  RateLimitOptions result;
  result.per_client_rps = rps;
  result.per_client_burst = burst;
  return result;
}

TEST(RateLimiterTest, BurstThenRefusal) {
  ManualClock clock(kStartMs);
  RateLimiter limiter(options(5, 10), clock);
  for (int i = 0; i < 10; ++i) {
    RateDecision decision = limiter.admit("10.0.0.1");
    ASSERT_TRUE(decision.allowed) << i;
    EXPECT_EQ(decision.limit, 10);
    EXPECT_EQ(decision.remaining, 9 - i);
  }
  RateDecision refused = limiter.admit("10.0.0.1");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.remaining, 0);
  EXPECT_EQ(refused.retry_after_s, 1);  // one token comes back in 200 ms
  EXPECT_EQ(refused.reset_s, 2);        // ten tokens in 2 s
}

TEST(RateLimiterTest, RefillsOverTime) {
  ManualClock clock(kStartMs);
  RateLimiter limiter(options(5, 10), clock);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.admit("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.admit("10.0.0.1").allowed);
  clock.advance_ms(199);
  EXPECT_FALSE(limiter.admit("10.0.0.1").allowed);
  clock.advance_ms(1);  // 200 ms at 5/s: one token
  EXPECT_TRUE(limiter.admit("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.admit("10.0.0.1").allowed);
  clock.advance_ms(1000);  // five tokens
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limiter.admit("10.0.0.1").allowed) << i;
  EXPECT_FALSE(limiter.admit("10.0.0.1").allowed);
  // A long idle time fills the bucket to its size, never beyond, and never overflows.
  clock.advance_ms(365LL * 24 * 3'600'000);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.admit("10.0.0.1").allowed) << i;
  EXPECT_FALSE(limiter.admit("10.0.0.1").allowed);
}

TEST(RateLimiterTest, RetryAfterRoundsUpToWholeSeconds) {
  ManualClock clock(kStartMs);
  RateLimiter limiter(options(1, 1), clock);
  EXPECT_TRUE(limiter.admit("a").allowed);
  clock.advance_ms(100);
  RateDecision refused = limiter.admit("a");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after_s, 1);
  clock.advance_ms(900);
  EXPECT_TRUE(limiter.admit("a").allowed);
}

TEST(RateLimiterTest, ClientsAreIndependent) {
  ManualClock clock(kStartMs);
  RateLimiter limiter(options(1, 3), clock);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(limiter.admit("10.0.0.1").allowed);
  EXPECT_FALSE(limiter.admit("10.0.0.1").allowed);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("10.0.0.2").allowed);
  EXPECT_FALSE(limiter.admit("10.0.0.2").allowed);
  // The port is not part of the client: a new connection is the same client.
  EXPECT_FALSE(limiter.admit("10.0.0.1:40000").allowed);
  EXPECT_FALSE(limiter.admit("10.0.0.1:40001").allowed);
}

TEST(RateLimiterTest, ClientKeyStripsThePort) {
  EXPECT_EQ(RateLimiter::client_key("10.0.0.1"), "10.0.0.1");
  EXPECT_EQ(RateLimiter::client_key("10.0.0.1:8080"), "10.0.0.1");
  EXPECT_EQ(RateLimiter::client_key("[::1]:8080"), "::1");
  EXPECT_EQ(RateLimiter::client_key("::1"), "::1");
  EXPECT_EQ(RateLimiter::client_key("2001:db8::7"), "2001:db8::7");
  EXPECT_EQ(RateLimiter::client_key(""), "");
}

TEST(RateLimiterTest, BucketCountIsBounded) {
  ManualClock clock(kStartMs);
  RateLimitOptions bounded = options(1, 2);
  bounded.clients_max = 100;
  RateLimiter limiter(bounded, clock);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(limiter.admit("client-" + std::to_string(i)).allowed);
    ASSERT_LE(limiter.client_count(), 100u);
  }
  EXPECT_EQ(limiter.client_count(), 100u);
  // The most recent clients kept their buckets.
  EXPECT_TRUE(limiter.admit("client-999").allowed);
  EXPECT_FALSE(limiter.admit("client-999").allowed);
}

TEST(RateLimiterTest, IdleFullBucketsAreDropped) {
  ManualClock clock(kStartMs);
  RateLimiter limiter(options(10, 10), clock);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(limiter.admit("client-" + std::to_string(i)).allowed);
  EXPECT_EQ(limiter.client_count(), 50u);
  clock.advance_ms(1000);  // every bucket is full again
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.admit("busy").allowed);
  EXPECT_LT(limiter.client_count(), 50u);
  for (int i = 0; i < 50; ++i) limiter.admit("busy");
  EXPECT_EQ(limiter.client_count(), 1u);
}

TEST(RateLimiterTest, InflightCap) {
  ManualClock clock(kStartMs);
  RateLimitOptions capped = options(1, 1);
  capped.inflight_max = 2;
  RateLimiter limiter(capped, clock);
  EXPECT_TRUE(limiter.try_enter());
  EXPECT_TRUE(limiter.try_enter());
  EXPECT_FALSE(limiter.try_enter());
  EXPECT_EQ(limiter.inflight(), 2);
  limiter.leave();
  EXPECT_TRUE(limiter.try_enter());
  limiter.leave();
  limiter.leave();
  EXPECT_EQ(limiter.inflight(), 0);
}

}  // namespace
}  // namespace of::gateway
