// Idempotency-Key through the real binary: a retry storm creates each order
// once and answers every duplicate with the first answer; a key reused for
// another request is refused; a key outlives a restart; a failed request can
// be retried with its key; a malformed key is refused naming the header.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "e2e/harness.h"

namespace of::e2e {
namespace {

net::Headers keyed(const std::string& key) { return {{"Idempotency-Key", key}}; }

std::string order_id_of(const std::string& body) {
  auto parsed = parse_json(body);
  if (!parsed.is_object() || !parsed.as_object().contains("id")) return {};
  return std::string(parsed.as_object().at("id").as_string());
}

TEST(IdempotencyTest, RetryStormCreatesEachOrderOnceAndRepeatsTheFirstAnswer) {
  constexpr int kOrders = 500;
  constexpr int kCopies = 5;
  constexpr int kConnections = 16;
  TempDirectory dir;
  OrderflowProcess server(dir.path());
  ASSERT_TRUE(server.start()) << server.log_tail();
  {
    net::HttpClient client = server.client();
    add_product(client, "mug", 1299, 100'000);
  }
  // Every copy of every order, shuffled (seeded) so copies of one order race
  // each other on different connections.
  std::vector<std::pair<int, int>> sends;
  for (int order = 0; order < kOrders; ++order) {
    for (int copy = 0; copy < kCopies; ++copy) sends.emplace_back(order, copy);
  }
  std::mt19937 random(20261125);
  std::shuffle(sends.begin(), sends.end(), random);

  struct Answer {
    int status = 0;
    std::string body;
    std::string location;
  };
  std::vector<Answer> answers(static_cast<size_t>(kOrders * kCopies));
  std::atomic<size_t> next{0};
  std::atomic<int> transport_errors{0};
  auto worker = [&] {
    net::HttpClient client = server.client();
    for (size_t i = next.fetch_add(1); i < sends.size(); i = next.fetch_add(1)) {
      const auto [order, copy] = sends[i];
      const std::string body = order_body("storm-" + std::to_string(order), {{"mug", 1 + order % 3}});
      auto response = client.request("POST", "/v1/orders", body, keyed("storm-key-" + std::to_string(order)));
      if (!response) {
        ++transport_errors;
        continue;
      }
      answers[static_cast<size_t>(order * kCopies + copy)] =
          Answer{response->status, response->body, std::string(response->header("Location"))};
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < kConnections; ++t) pool.emplace_back(worker);
  for (auto& thread : pool) thread.join();
  ASSERT_EQ(transport_errors.load(), 0);

  std::set<std::string> answered_ids;
  for (int order = 0; order < kOrders; ++order) {
    const Answer& first = answers[static_cast<size_t>(order * kCopies)];
    ASSERT_EQ(first.status, 201) << "order " << order << ": " << first.body;
    const std::string id = order_id_of(first.body);
    ASSERT_FALSE(id.empty()) << first.body;
    EXPECT_EQ(first.location, "/v1/orders/" + id);
    answered_ids.insert(id);
    for (int copy = 1; copy < kCopies; ++copy) {
      const Answer& again = answers[static_cast<size_t>(order * kCopies + copy)];
      EXPECT_EQ(again.status, first.status) << "order " << order << " copy " << copy;
      EXPECT_EQ(again.body, first.body) << "order " << order << " copy " << copy;
      EXPECT_EQ(again.location, first.location) << "order " << order << " copy " << copy;
    }
  }
  EXPECT_EQ(answered_ids.size(), static_cast<size_t>(kOrders));
  net::HttpClient client = server.client();
  const auto stored = all_order_ids(client);
  EXPECT_EQ(stored.size(), static_cast<size_t>(kOrders));
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()), answered_ids);
}

TEST(IdempotencyTest, ReusedKeyMalformedKeyFailedRequestCancelAndRestart) {
  TempDirectory dir;
  OrderflowProcess server(dir.path());
  ASSERT_TRUE(server.start()) << server.log_tail();
  std::string first_body, first_location;
  {
    net::HttpClient client = server.client();
    add_product(client, "mug", 1299, 100);
    add_product(client, "rare", 5000, 1);
    const std::string body_a = order_body("cust-a", {{"mug", 1}});
    const std::string body_b = order_body("cust-a", {{"mug", 2}});

    auto first = client.request("POST", "/v1/orders", body_a, keyed("key-a"));
    ASSERT_TRUE(first.is_ok());
    ASSERT_EQ(first->status, 201) << first->body;
    first_body = first->body;
    first_location = std::string(first->header("Location"));
    EXPECT_EQ(first->header("Idempotent-Replayed"), "");

    // The same key with another body, or on another route: 422, nothing created.
    auto reused = client.request("POST", "/v1/orders", body_b, keyed("key-a"));
    ASSERT_TRUE(reused.is_ok());
    EXPECT_EQ(reused->status, 422) << reused->body;
    EXPECT_EQ(reused->header("Content-Type"), "application/problem+json");
    const std::string type(parse_json(reused->body).as_object().at("type").as_string());
    EXPECT_NE(type.find("idempotency-key-reused"), std::string::npos) << reused->body;

    // The same key and body: the stored answer, marked as a replay.
    auto again = client.request("POST", "/v1/orders", body_a, keyed("key-a"));
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again->status, 201);
    EXPECT_EQ(again->body, first_body);
    EXPECT_EQ(again->header("Location"), first_location);
    EXPECT_EQ(again->header("Idempotent-Replayed"), "true");
    EXPECT_EQ(all_order_ids(client).size(), 1u);

    // Malformed keys: 400 naming the header, nothing created.
    for (const std::string& bad : {std::string(256, 'k'), std::string("caf\xc3\xa9"), std::string()}) {
      auto refused = client.request("POST", "/v1/orders", body_a, keyed(bad));
      ASSERT_TRUE(refused.is_ok());
      EXPECT_EQ(refused->status, 400) << "key of " << bad.size() << " bytes: " << refused->body;
      EXPECT_NE(refused->body.find("Idempotency-Key"), std::string::npos) << refused->body;
    }
    EXPECT_EQ(all_order_ids(client).size(), 1u);
    // 255 printable characters (spaces and symbols included) are a valid key.
    std::string longest(255, 'x');
    longest[7] = ' ';
    longest[8] = '~';
    auto longest_ok = client.request("POST", "/v1/orders", order_body("cust-l", {{"mug", 1}}), keyed(longest));
    ASSERT_TRUE(longest_ok.is_ok());
    EXPECT_EQ(longest_ok->status, 201) << longest_ok->body;

    // A failed request stores nothing: the same key succeeds once stock is there.
    const std::string rare_body = order_body("cust-r", {{"rare", 3}});
    auto short_of_stock = client.request("POST", "/v1/orders", rare_body, keyed("key-rare"));
    ASSERT_TRUE(short_of_stock.is_ok());
    EXPECT_EQ(short_of_stock->status, 409) << short_of_stock->body;
    add_product(client, "rare", 5000, 10);
    auto restocked = client.request("POST", "/v1/orders", rare_body, keyed("key-rare"));
    ASSERT_TRUE(restocked.is_ok());
    EXPECT_EQ(restocked->status, 201) << restocked->body;

    // Cancel with a key: the retry gets the first 200, not 409 "already cancelled".
    const std::string cancel_target = "/v1/orders/" + order_id_of(restocked->body) + "/cancel";
    auto cancelled = client.request("POST", cancel_target, R"({"reason":"changed my mind"})", keyed("key-cancel"));
    ASSERT_TRUE(cancelled.is_ok());
    EXPECT_EQ(cancelled->status, 200) << cancelled->body;
    auto cancelled_again =
        client.request("POST", cancel_target, R"({"reason":"changed my mind"})", keyed("key-cancel"));
    ASSERT_TRUE(cancelled_again.is_ok());
    EXPECT_EQ(cancelled_again->status, 200) << cancelled_again->body;
    EXPECT_EQ(cancelled_again->body, cancelled->body);
    auto unkeyed = client.request("POST", cancel_target, R"({"reason":"changed my mind"})");
    ASSERT_TRUE(unkeyed.is_ok());
    EXPECT_EQ(unkeyed->status, 409) << unkeyed->body;
  }

  // The key survives a restart: the same answer, the same order id.
  EXPECT_EQ(server.terminate(), 0);
  ASSERT_TRUE(server.start()) << server.log_tail();
  net::HttpClient client = server.client();
  auto after_restart = client.request("POST", "/v1/orders", order_body("cust-a", {{"mug", 1}}), keyed("key-a"));
  ASSERT_TRUE(after_restart.is_ok());
  EXPECT_EQ(after_restart->status, 201);
  EXPECT_EQ(after_restart->body, first_body);
  EXPECT_EQ(after_restart->header("Location"), first_location);
  EXPECT_EQ(all_order_ids(client).size(), 3u);  // key-a, the longest key, key-rare
}

}  // namespace
}  // namespace of::e2e
