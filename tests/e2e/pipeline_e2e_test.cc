// The whole pipeline, end to end, through the real binary: thousands of orders
// from many connections with a mix of good, invalid, out-of-stock and declined
// ones; the same under repeated kill -9; the last units of a product under
// contention; and the live status stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "e2e/harness.h"

namespace of::e2e {
namespace {

constexpr int kProducts = 10;
constexpr int64_t kInitialStock = 150;

std::string product_id(int index) { return "p-" + std::to_string(index); }

struct Accepted {
  std::string order_id;
  bool declined_card = false;
};

struct LoadResult {
  std::vector<Accepted> accepted;
  std::map<int, int> statuses;  // HTTP status -> count
  int invalid_sent = 0;
  int transport_errors = 0;
  std::vector<std::string> problems;  // unexpected answers
};

// Sends `count` orders from `threads` connections. Every 10th order is invalid
// in one of several ways, every 10th (offset 5) pays with a card that is
// declined; quantities deplete stock so later orders run out.
LoadResult place_orders(const OrderflowProcess& server, int count, int threads,
                        const std::function<void(int sent)>& after_each = {}) {
  LoadResult result;
  std::mutex mutex;
  std::atomic<int> next{0};
  auto worker = [&](int thread_index) {
    net::HttpClient client = server.client();
    std::mt19937 random(static_cast<unsigned>(thread_index * 7919 + 17));
    while (true) {
      int i = next.fetch_add(1);
      if (i >= count) break;
      std::string body;
      bool invalid = i % 10 == 0;
      bool declined = i % 10 == 5;
      if (invalid) {
        switch ((i / 10) % 5) {
          case 0: body = R"({"customerId":"c-1","lines":[{"productId":"p-1","quantity":0}]})"; break;
          case 1: body = order_body("c-" + std::to_string(i), {{"no-such-product", 1}}); break;
          case 2: body = "{not json"; break;
          case 3: body = order_body("c-" + std::to_string(i), {{product_id(1), 1}}, "4242424242424242"); break;
          default: body = order_body("c-" + std::to_string(i), {}); break;
        }
      } else {
        std::vector<std::pair<std::string, int>> lines;
        int line_count = 1 + static_cast<int>(random() % 3);
        for (int l = 0; l < line_count; ++l) {
          lines.emplace_back(product_id(static_cast<int>(random() % kProducts)), 1 + static_cast<int>(random() % 2));
        }
        body = order_body("c-" + std::to_string(i % 97), lines, declined ? "tok_decline" : "tok_visa");
      }
      auto response = client.post("/v1/orders", body);
      std::lock_guard lock(mutex);
      if (invalid) ++result.invalid_sent;
      if (!response) {
        ++result.transport_errors;
      } else {
        ++result.statuses[response->status];
        if (response->status == 201) {
          auto value = parse_json(response->body);
          result.accepted.push_back({std::string(value.at("id").as_string()), declined});
          if (invalid) result.problems.push_back("invalid order accepted: " + body);
        } else {
          bool problem_json = response->header("Content-Type").find("application/problem+json") == 0;
          auto value = parse_json(response->body);
          bool has_detail = value.is_object() && value.as_object().contains("detail") &&
                            !value.at("detail").as_string().empty();
          if (!problem_json || !has_detail) result.problems.push_back("not a problem+json: " + response->body);
          bool expected = (invalid && (response->status == 400 || response->status == 422)) ||
                          (!invalid && response->status == 409);
          if (!expected) {
            result.problems.push_back("unexpected " + std::to_string(response->status) + " for " + body + ": " +
                                      response->body);
          }
        }
      }
      if (after_each) after_each(i);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (auto& thread : pool) thread.join();
  return result;
}

// Every accepted order is there and ends in a terminal state consistent with
// its card; so does every other order the store holds; every product's units
// add up over all of them; nothing was charged twice; histories are legal
// chains with no status applied twice.
void check_outcome(OrderflowProcess& server, const std::vector<Accepted>& accepted) {
  net::HttpClient client = server.client();
  std::map<std::string, bool> declined;
  for (const auto& order : accepted) declined[order.order_id] = order.declined_card;
  std::vector<std::string> stored = all_order_ids(client);
  std::set<std::string> stored_set(stored.begin(), stored.end());
  for (const auto& order : accepted) {
    EXPECT_TRUE(stored_set.count(order.order_id)) << "accepted order " << order.order_id << " was lost";
  }
  std::map<std::string, int64_t> sold_by_orders;
  std::map<std::string, std::string> final_status;
  for (const auto& order_id : stored) {
    auto body = wait_terminal(client, order_id, 120'000);
    ASSERT_TRUE(body) << "order " << order_id << " vanished\n" << server.log_tail();
    std::string status(body->at("status").as_string());
    ASSERT_TRUE(is_terminal_status(status)) << "order " << order_id << " stuck in " << status << "\n"
                                            << boost::json::serialize(*body) << "\n"
                                            << server.log_tail();
    final_status[order_id] = status;
    if (declined[order_id]) {
      EXPECT_TRUE(status == "CANCELLED" || status == "REJECTED") << order_id << " " << status;
    }
    if (status == "DELIVERED") {
      for (const auto& line : body->at("lines").as_array()) {
        sold_by_orders[std::string(line.at("productId").as_string())] += line.at("quantity").as_int64();
      }
    }
    std::set<std::string> seen;
    for (const auto& entry : body->at("history").as_array()) {
      std::string step(entry.at("status").as_string());
      EXPECT_TRUE(seen.insert(step).second) << "status " << step << " applied twice to " << order_id;
    }
  }
  for (int p = 0; p < kProducts; ++p) {
    Stock stock = get_stock(client, product_id(p));
    EXPECT_EQ(stock.reserved, 0) << product_id(p);
    EXPECT_EQ(stock.sold, sold_by_orders[product_id(p)]) << product_id(p);
    EXPECT_EQ(stock.on_hand + stock.sold, kInitialStock) << product_id(p);
    EXPECT_EQ(stock.available, stock.on_hand - stock.reserved) << product_id(p);
  }
  auto charges = approved_charges(server.data_dir());
  for (const auto& [order_id, count] : charges) EXPECT_LE(count, 1) << "order " << order_id << " charged twice";
  for (const auto& [order_id, status] : final_status) {
    if (status == "DELIVERED") {
      EXPECT_EQ(charges[order_id], 1) << "delivered order " << order_id << " never charged";
    }
  }
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<OrderflowProcess>(dir_.path());
    ASSERT_TRUE(server_->start()) << server_->log_tail();
    net::HttpClient client = server_->client();
    for (int p = 0; p < kProducts; ++p) add_product(client, product_id(p), 1000 + 250 * p, kInitialStock);
  }

  TempDirectory dir_;
  std::unique_ptr<OrderflowProcess> server_;
};

TEST_F(PipelineTest, TwoThousandMixedOrdersAllReachTerminalStates) {
  std::atomic<bool> done{false};
  std::atomic<int> violations{0};
  // The stock invariant holds at every instant, not only at the end.
  std::thread monitor([&] {
    net::HttpClient client = server_->client();
    while (!done) {
      for (int p = 0; p < kProducts; ++p) {
        Stock stock = get_stock(client, product_id(p));
        if (stock.available + stock.reserved + stock.sold != kInitialStock || stock.reserved < 0 ||
            stock.available < 0) {
          ++violations;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  LoadResult load = place_orders(*server_, 2000, 16);
  done = true;
  monitor.join();

  EXPECT_EQ(violations, 0);
  EXPECT_EQ(load.transport_errors, 0);
  EXPECT_TRUE(load.problems.empty()) << load.problems.size() << " problems, first: " << load.problems.front();
  EXPECT_EQ(load.statuses[400] + load.statuses[422], load.invalid_sent);
  EXPECT_GT(load.statuses[201], 200);  // plenty accepted...
  EXPECT_GT(load.statuses[409], 0);    // ...and stock ran out for some
  check_outcome(*server_, load.accepted);
}

TEST_F(PipelineTest, KillNineThreeTimesLosesNoAcceptedOrder) {
  std::atomic<int> kills{0};
  std::thread killer([&] {
    for (int kill = 0; kill < 3; ++kill) {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      server_->kill9();
      ++kills;
      ASSERT_TRUE(server_->start()) << server_->log_tail();
    }
  });
  LoadResult load;
  // Clients retry nothing: an order whose answer was lost may or may not exist,
  // but every order that got its 201 must. Load keeps flowing until all three
  // kills have happened in the middle of it.
  for (int round = 0; round < 100 && (kills < 3 || load.accepted.size() < 600); ++round) {
    LoadResult part = place_orders(*server_, 200, 8);
    load.accepted.insert(load.accepted.end(), part.accepted.begin(), part.accepted.end());
    load.transport_errors += part.transport_errors;
  }
  killer.join();
  EXPECT_EQ(kills, 3);
  EXPECT_GT(load.transport_errors, 0) << "no request was in flight at any kill";
  // One more restart after the last kill, then everything must settle.
  server_->kill9();
  ASSERT_TRUE(server_->start()) << server_->log_tail();
  check_outcome(*server_, load.accepted);
}

TEST_F(PipelineTest, FiftyConcurrentOrdersForTenUnitsExactlyTenSucceed) {
  net::HttpClient admin = server_->client();
  add_product(admin, "scarce", 5000, 10);
  std::mutex mutex;
  std::vector<std::string> accepted;
  int out_of_stock = 0;
  std::vector<std::thread> pool;
  for (int i = 0; i < 50; ++i) {
    pool.emplace_back([&, i] {
      net::HttpClient client = server_->client();
      auto response = client.post("/v1/orders", order_body("rush-" + std::to_string(i), {{"scarce", 1}}));
      ASSERT_TRUE(response);
      std::lock_guard lock(mutex);
      if (response->status == 201) {
        accepted.push_back(std::string(parse_json(response->body).at("id").as_string()));
      } else {
        EXPECT_EQ(response->status, 409) << response->body;
        ++out_of_stock;
      }
    });
  }
  for (auto& thread : pool) thread.join();
  int delivered = 0;
  for (const auto& id : accepted) {
    auto body = wait_terminal(admin, id, 60'000);
    ASSERT_TRUE(body);
    std::string status(body->at("status").as_string());
    if (status == "DELIVERED") ++delivered;
    else EXPECT_EQ(status, "REJECTED") << id;
  }
  EXPECT_EQ(delivered, 10);
  EXPECT_EQ(static_cast<int>(accepted.size()) - delivered + out_of_stock, 40);
  Stock stock = get_stock(admin, "scarce");
  EXPECT_EQ(stock.sold, 10);
  EXPECT_EQ(stock.on_hand, 0);
  EXPECT_EQ(stock.reserved, 0);
}

TEST_F(PipelineTest, StatusStreamShowsEveryChangeAndResumes) {
  net::HttpClient client = server_->client();
  auto created = client.post("/v1/orders", order_body("watcher", {{product_id(2), 1}}));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  std::string id(parse_json(created->body).at("id").as_string());

  std::vector<std::pair<std::string, std::string>> seen;  // (event id, status)
  net::HttpClient stream_client = server_->client();
  int http_status = 0;
  Status streamed = stream_client.stream_events(
      "/v1/orders/" + id + "/events", {}, 30'000,
      [&](const std::string& event_id, const std::string& event, const std::string& data) {
        auto value = parse_json(data);
        std::string status(value.at("status").as_string());
        seen.emplace_back(event_id, status);
        return status != "DELIVERED";
      },
      &http_status);
  ASSERT_TRUE(streamed.is_ok()) << streamed.to_string();
  EXPECT_EQ(http_status, 200);
  std::vector<std::string> statuses;
  for (const auto& [event_id, status] : seen) statuses.push_back(status);
  EXPECT_EQ(statuses, (std::vector<std::string>{"PENDING", "RESERVED", "PAID", "SHIPPED", "DELIVERED"}));

  // Resume after the second event: only the later ones come again.
  std::vector<std::string> resumed;
  net::HttpClient again = server_->client();
  Status second = again.stream_events("/v1/orders/" + id + "/events", {{"Last-Event-ID", seen[1].first}}, 10'000,
                                      [&](const std::string&, const std::string&, const std::string& data) {
                                        std::string status(parse_json(data).at("status").as_string());
                                        resumed.push_back(status);
                                        return status != "DELIVERED";
                                      });
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(resumed, (std::vector<std::string>{"PAID", "SHIPPED", "DELIVERED"}));
}

TEST_F(PipelineTest, TimelineListsEveryEventOfTheOrderWithItsTrace) {
  net::HttpClient client = server_->client();
  const std::string trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto created = client.request("POST", "/v1/orders", order_body("timeline", {{product_id(1), 1}}),
                                {{"traceparent", trace}});
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  std::string id(parse_json(created->body).at("id").as_string());
  ASSERT_TRUE(wait_terminal(client, id, 30'000));
  // Delivery is the last status change; its notification may still be on its way.
  std::vector<std::string> types;
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto timeline = client.get("/v1/orders/" + id + "/timeline");
    ASSERT_TRUE(timeline);
    ASSERT_EQ(timeline->status, 200) << timeline->body;
    types.clear();
    const auto body = parse_json(timeline->body);
    for (const auto& event : body.at("events").as_array()) {
      types.emplace_back(event.at("type").as_string());
      EXPECT_EQ(event.at("subject").as_string(), id);
      if (event.as_object().contains("traceparent")) {
        EXPECT_EQ(event.at("traceparent").as_string(), trace);
      }
    }
    if (std::count(types.begin(), types.end(), "NotificationSent") == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (const char* expected : {"OrderCreated", "InventoryReserved", "PaymentCompleted", "OrderShipped",
                               "OrderDelivered", "OrderStatusChanged", "NotificationSent"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), expected), types.end()) << expected;
  }
  EXPECT_EQ(types.front(), "OrderCreated");
  EXPECT_EQ(std::count(types.begin(), types.end(), "OrderStatusChanged"), 5);
  auto missing = client.get("/v1/orders/0190b5e4-0000-7000-8000-000000000000/timeline");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(PipelineTest, CancelBeforeShippingReleasesStockAndRefundsPaidOrders) {
  // Slow delivery and a slow gateway so the order can be caught in each state.
  server_->terminate();
  OrderflowProcess slow(dir_.path(), {"fulfillment.delivery_delay_ms=600000"});
  ASSERT_TRUE(slow.start()) << slow.log_tail();
  net::HttpClient client = slow.client();
  auto created = client.post("/v1/orders", order_body("canceller", {{product_id(3), 2}}));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201);
  std::string id(parse_json(created->body).at("id").as_string());
  // It ships (payment done); cancelling a shipped order is refused.
  for (int i = 0; i < 200; ++i) {
    auto body = parse_json(client.get("/v1/orders/" + id)->body);
    if (body.at("status").as_string() == "SHIPPED") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto refused = client.post("/v1/orders/" + id + "/cancel", "{}");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 409) << refused->body;

  // A second order, cancelled at once, releases its stock.
  Stock before = get_stock(client, product_id(4));
  auto second = client.post("/v1/orders", order_body("canceller", {{product_id(4), 3}}));
  ASSERT_EQ(second->status, 201);
  std::string second_id(parse_json(second->body).at("id").as_string());
  auto cancelled = client.post("/v1/orders/" + second_id + "/cancel", R"({"reason":"changed my mind"})");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, 200) << cancelled->body;
  auto final_body = wait_terminal(client, second_id, 30'000);
  ASSERT_TRUE(final_body);
  std::string status(final_body->at("status").as_string());
  EXPECT_TRUE(status == "CANCELLED" || status == "REFUNDED") << status;
  // Once settled, the stock is back where it was.
  for (int i = 0; i < 200; ++i) {
    Stock now = get_stock(client, product_id(4));
    if (now.reserved == before.reserved && now.on_hand == before.on_hand) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Stock after = get_stock(client, product_id(4));
  EXPECT_EQ(after.on_hand, before.on_hand);
  EXPECT_EQ(after.reserved, before.reserved);
  auto charges = approved_charges(slow.data_dir());
  if (status == "REFUNDED") {
    EXPECT_EQ(charges[second_id], 1);
  }
}

}  // namespace
}  // namespace of::e2e
