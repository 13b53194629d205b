// Rate limiting through the real binary: a burst over a client's bucket gets
// 429 problem+json with Retry-After and RateLimit headers, the client gets in
// again after waiting that long, and the health endpoints are never limited.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "e2e/harness.h"

namespace of::e2e {
namespace {

TEST(RateLimitTest, BurstIsRefusedWithRetryAfterThenRecovers) {
  TempDirectory dir;
  OrderflowProcess server(dir.path(),
                          {"ratelimit.enabled=true", "ratelimit.per_client_rps=5", "ratelimit.per_client_burst=10"});
  ASSERT_TRUE(server.start()) << server.log_tail();
  net::HttpClient client = server.client();

  int ok = 0, limited = 0;
  int64_t retry_after_s = 0;
  for (int i = 0; i < 30; ++i) {
    auto response = client.get("/v1/products");
    ASSERT_TRUE(response.is_ok()) << response.status().to_string();
    if (response->status == 200) {
      ++ok;
      EXPECT_NE(response->header("RateLimit"), "") << "admitted answers carry RateLimit too";
      continue;
    }
    ASSERT_EQ(response->status, 429) << response->body;
    ++limited;
    EXPECT_EQ(response->header("Content-Type").substr(0, 24), "application/problem+json");
    auto problem = parse_json(response->body).as_object();
    EXPECT_NE(std::string(problem.at("type").as_string()).find("rate-limited"), std::string::npos);
    EXPECT_NE(std::string(problem.at("detail").as_string()).find("retry after"), std::string::npos);
    const std::string retry_after(response->header("Retry-After"));
    ASSERT_FALSE(retry_after.empty());
    retry_after_s = std::stoll(retry_after);
    EXPECT_GE(retry_after_s, 1);
    EXPECT_EQ(response->header("RateLimit-Policy"), "10;w=2");
    EXPECT_EQ(std::string(response->header("RateLimit")).rfind("limit=10, remaining=0, reset=", 0), 0u)
        << response->header("RateLimit");
  }
  // Ten at once, plus whatever trickled back at 5/s while the burst went out.
  EXPECT_GE(ok, 10);
  EXPECT_GT(limited, 0);
  EXPECT_EQ(ok + limited, 30);

  // Health, readiness and metrics are never limited, even now.
  for (int i = 0; i < 20; ++i) {
    auto health = client.get("/healthz");
    ASSERT_TRUE(health.is_ok());
    EXPECT_EQ(health->status, 200);
    auto ready = client.get("/readyz");
    ASSERT_TRUE(ready.is_ok());
    EXPECT_EQ(ready->status, 200);
  }

  std::this_thread::sleep_for(std::chrono::seconds(retry_after_s));
  auto again = client.get("/v1/products");
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(again->status, 200) << again->body;
}

}  // namespace
}  // namespace of::e2e
