// Payments end to end: orderflow charging through `orderflow gateway-sim`
// over HTTP, both as their own processes, with the simulator failing 20 % of
// calls transiently (5xx and timeouts) and losing 2 % of answers after
// charging; then with the simulator killed for ~5 s mid-run. The gateway's
// own ledger is the judge: at most one successful charge per order, one for
// every delivered order, none for a cancelled one, and its captured total
// equals orderflow's total of delivered orders.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "e2e/gateway_sim_process.h"
#include "e2e/harness.h"

namespace of::e2e {
namespace {

constexpr int kProducts = 8;
constexpr int64_t kStockPerProduct = 100'000;  // no order runs out: payment is what is tested
constexpr int kConnections = 8;
constexpr int64_t kTerminalTimeoutMs = 45'000;

std::string product_id(int index) { return "pay-" + std::to_string(index); }

// Which card an order pays with: mostly approved, some declined, some whose
// first answer the simulator loses on purpose.
std::string token_for(int i) {
  if (i % 50 == 7) return "tok_decline";
  if (i % 50 == 17) return "tok_insufficient_funds";
  if (i % 100 == 33) return "tok_lost_response";
  return "tok_visa";
}

bool declining(const std::string& token) { return token == "tok_decline" || token == "tok_insufficient_funds"; }

struct Placed {
  std::string order_id;
  std::string token;
};

class PaymentsE2eTest : public ::testing::Test {
 protected:
  // Retries must outlast a 5 s outage: 30 attempts, backoff capped at 1 s with
  // full jitter, is about 15 s of trying.
  void start(std::vector<std::string> sim_args) {
    sim_ = std::make_unique<GatewaySimProcess>(sim_dir_.path(), std::move(sim_args));
    ASSERT_TRUE(sim_->start()) << sim_->log_tail();
    server_ = std::make_unique<OrderflowProcess>(
        orderflow_dir_.path(),
        std::vector<std::string>{"payments.gateway=http", "payments.gateway_url=" + sim_->url(),
                                 "payments.gateway_timeout_ms=500", "payments.charge_max_attempts=30",
                                 "payments.charge_base_backoff_ms=50", "payments.charge_max_backoff_ms=1000"});
    ASSERT_TRUE(server_->start()) << server_->log_tail();
    net::HttpClient client = server_->client();
    for (int p = 0; p < kProducts; ++p) add_product(client, product_id(p), 1099 + 300 * p, kStockPerProduct);
  }

  // Places `count` orders from kConnections connections; every one must be accepted.
  std::vector<Placed> place_orders(int count, const std::function<void(int placed)>& after_each = {}) {
    std::vector<Placed> placed;
    std::mutex mutex;
    std::atomic<int> next{0};
    std::atomic<int> accepted{0};
    auto worker = [&](int connection) {
      net::HttpClient client = server_->client();
      while (true) {
        int i = next.fetch_add(1);
        if (i >= count) break;
        std::string token = token_for(i);
        std::vector<std::pair<std::string, int>> lines = {{product_id(i % kProducts), 1 + i % 3}};
        if (i % 4 == 0) lines.emplace_back(product_id((i / 4 + connection) % kProducts), 1);
        auto response = client.post("/v1/orders", order_body("cust-" + std::to_string(i % 61), lines, token));
        ASSERT_TRUE(response) << response.status().to_string();
        ASSERT_EQ(response->status, 201) << response->body;
        std::string id(parse_json(response->body).at("id").as_string());
        {
          std::lock_guard lock(mutex);
          placed.push_back({id, token});
        }
        int done = accepted.fetch_add(1) + 1;
        if (after_each) after_each(done);
      }
    };
    std::vector<std::thread> threads;
    for (int c = 0; c < kConnections; ++c) threads.emplace_back(worker, c);
    for (auto& thread : threads) thread.join();
    return placed;
  }

  // Waits for every order to end, then checks orderflow against the gateway's ledger.
  void check_against_ledger(const std::vector<Placed>& placed, bool declines_only_cancel) {
    net::HttpClient client = server_->client();
    std::map<std::string, std::string> status_of;
    std::map<std::string, int64_t> total_of;
    int64_t delivered_total = 0;
    for (const auto& order : placed) {
      auto body = wait_terminal(client, order.order_id, kTerminalTimeoutMs);
      ASSERT_TRUE(body) << order.order_id;
      std::string status(body->at("status").as_string());
      ASSERT_TRUE(is_terminal_status(status))
          << "order " << order.order_id << " (" << order.token << ") stuck in " << status << "\n"
          << boost::json::serialize(*body) << "\n"
          << server_->log_tail();
      status_of[order.order_id] = status;
      total_of[order.order_id] = body->at("totals").at("total").as_int64();
      if (declining(order.token)) {
        EXPECT_EQ(status, "CANCELLED") << order.order_id << " paid with " << order.token;
      } else if (declines_only_cancel) {
        EXPECT_EQ(status, "DELIVERED") << order.order_id << " paid with " << order.token << ": "
                                       << boost::json::serialize(*body);
      }
      if (status == "DELIVERED") delivered_total += total_of[order.order_id];
    }

    boost::json::object ledger = sim_->ledger();
    ASSERT_TRUE(ledger.contains("payment_intents")) << sim_->log_tail();
    std::map<std::string, int> succeeded_by_order;
    std::map<std::string, int64_t> captured_by_order;
    int64_t captured_total = 0;
    for (const auto& value : ledger.at("payment_intents").as_array()) {
      const auto& intent = value.as_object();
      std::string order_id(intent.at("metadata").at("order_id").as_string());
      EXPECT_TRUE(status_of.count(order_id)) << "the gateway charged an unknown order " << order_id;
      if (intent.at("status").as_string() != "succeeded") continue;
      int64_t net = intent.at("amount_received").as_int64() - intent.at("amount_refunded").as_int64();
      ++succeeded_by_order[order_id];
      captured_by_order[order_id] += net;
      captured_total += net;
    }
    int delivered = 0;
    for (const auto& [order_id, status] : status_of) {
      EXPECT_LE(succeeded_by_order[order_id], 1) << "order " << order_id << " charged twice";
      if (status == "DELIVERED" || status == "PAID" || status == "SHIPPED") {
        ++delivered;
        EXPECT_EQ(succeeded_by_order[order_id], 1) << status << " order " << order_id << " has no charge";
        EXPECT_EQ(captured_by_order[order_id], total_of[order_id]) << "order " << order_id;
      }
      if (status == "CANCELLED") {
        EXPECT_EQ(captured_by_order[order_id], 0) << "cancelled order " << order_id << " kept its money";
      }
    }
    EXPECT_EQ(captured_total, delivered_total);
    EXPECT_GT(delivered, static_cast<int>(placed.size()) * 9 / 10);

    // Nothing was parked: every charge settled within its retries.
    auto dead = client.get("/v1/dead-letters");
    ASSERT_TRUE(dead && dead->status == 200);
    EXPECT_TRUE(parse_json(dead->body).at("deadLetters").as_array().empty()) << dead->body;
  }

  TempDirectory sim_dir_;
  TempDirectory orderflow_dir_;
  std::unique_ptr<GatewaySimProcess> sim_;
  std::unique_ptr<OrderflowProcess> server_;
};

TEST_F(PaymentsE2eTest, FlakyGatewayChargesEveryOrderAtMostOnce) {
  // 15 % answered 500 undone, 5 % held past orderflow's 500 ms timeout (half
  // of those charged anyway), 2 % charged with the answer lost.
  start({"--latency-ms", "1..5", "--error-rate", "0.15", "--timeout-rate", "0.05", "--timeout-hold-ms", "1500",
         "--lost-response-rate", "0.02", "--seed", "11"});
  if (HasFatalFailure()) return;
  auto started = std::chrono::steady_clock::now();
  std::vector<Placed> placed = place_orders(1000);
  ASSERT_EQ(placed.size(), 1000u);
  check_against_ledger(placed, true);
  // The faults did happen, at about the rates asked for.
  boost::json::object faults = sim_->faults();
  boost::json::object injected = faults.at("injected").as_object();
  EXPECT_GT(injected.at("errors").as_int64(), 100) << boost::json::serialize(injected);
  EXPECT_GT(injected.at("timeouts").as_int64(), 25) << boost::json::serialize(injected);
  EXPECT_GT(injected.at("lost_responses").as_int64(), 10) << boost::json::serialize(injected);
  std::printf("1000 orders through a flaky gateway settled in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

TEST_F(PaymentsE2eTest, GatewayOutageDelaysOrdersButFailsNone) {
  start({"--latency-ms", "1..3", "--error-rate", "0.05", "--lost-response-rate", "0.02", "--seed", "12"});
  if (HasFatalFailure()) return;
  std::atomic<bool> outage_started{false};
  int64_t killed_at_s = 0;
  std::thread outage;
  std::vector<Placed> placed = place_orders(600, [&](int accepted) {
    if (accepted != 150 || outage_started.exchange(true)) return;
    // The gateway dies mid-run (SIGKILL: its ledger must survive that too),
    // stays away ~5 s while orders keep arriving, and comes back on its port.
    outage = std::thread([this, &killed_at_s] {
      killed_at_s =
          std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      sim_->kill9();
      std::this_thread::sleep_for(std::chrono::seconds(5));
      ASSERT_TRUE(sim_->start()) << sim_->log_tail();
    });
  });
  if (outage.joinable()) outage.join();
  ASSERT_TRUE(outage_started.load());
  ASSERT_EQ(placed.size(), 600u);
  check_against_ledger(placed, true);
  // The outage was felt: many orders were charged only once the gateway came back.
  int charged_after = 0;
  boost::json::object ledger = sim_->ledger();
  for (const auto& intent : ledger.at("payment_intents").as_array()) {
    if (intent.at("created").as_int64() >= killed_at_s + 4) ++charged_after;
  }
  EXPECT_GT(charged_after, 100);
}

// Polls the order until it has `status`; returns the last body.
boost::json::object wait_status(net::HttpClient& client, const std::string& order_id, const std::string& status) {
  boost::json::object last;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto response = client.get("/v1/orders/" + order_id);
    if (response && response->status == 200) {
      last = parse_json(response->body).as_object();
      if (last.at("status").as_string() == status) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "order " << order_id << " never reached " << status << ": " << boost::json::serialize(last);
  return last;
}

TEST_F(PaymentsE2eTest, PartialRefundsNeverExceedTheCapture) {
  start({"--error-rate", "0.2", "--lost-response-rate", "0.1", "--seed", "13"});
  if (HasFatalFailure()) return;
  net::HttpClient client = server_->client();
  auto created = client.post("/v1/orders", order_body("cust-refund", {{product_id(3), 2}}));
  ASSERT_TRUE(created && created->status == 201);
  std::string id(parse_json(created->body).at("id").as_string());
  int64_t total = wait_status(client, id, "DELIVERED").at("totals").at("total").as_int64();
  ASSERT_GT(total, 1000);
  const std::string path = "/v1/orders/" + id + "/refunds";

  auto first =
      client.request("POST", path, R"({"amount":300,"reason":"one mug broke"})", {{"Idempotency-Key", "ret-1"}});
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 202) << first->body;
  // The same request again (a client retry) is the same refund, not a second one.
  auto replay =
      client.request("POST", path, R"({"amount":300,"reason":"one mug broke"})", {{"Idempotency-Key", "ret-1"}});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 200) << replay->body;
  EXPECT_EQ(parse_json(replay->body).at("refundId"), parse_json(first->body).at("refundId"));
  auto second = client.post(path, R"({"amount":200})");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->status, 202) << second->body;
  // A third that would exceed the capture, even while the first two are in flight.
  auto excess = client.post(path, R"({"amount":)" + std::to_string(total - 500 + 1) + "}");
  ASSERT_TRUE(excess);
  EXPECT_EQ(excess->status, 409) << excess->body;
  EXPECT_NE(excess->body.find("refund-exceeds-capture"), std::string::npos) << excess->body;
  EXPECT_NE(excess->body.find("exceeds what is left to refund"), std::string::npos) << excess->body;
  EXPECT_EQ(parse_json(excess->body).at("refundable").as_int64(), total - 500) << excess->body;

  wait_status(client, id, "PARTIALLY_REFUNDED");
  // The rest, with no amount: the order ends REFUNDED.
  auto rest = client.post(path, "");
  ASSERT_TRUE(rest);
  ASSERT_EQ(rest->status, 202) << rest->body;
  EXPECT_EQ(parse_json(rest->body).at("amount").as_int64(), total - 500);
  auto refunded = wait_status(client, id, "REFUNDED");
  EXPECT_EQ(refunded.at("refunded").as_int64(), total) << boost::json::serialize(refunded);
  auto after = client.post(path, R"({"amount":1})");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 409) << after->body;

  boost::json::object ledger = sim_->ledger();
  int64_t refunded_at_gateway = 0;
  int refunds = 0;
  for (const auto& refund : ledger.at("refunds").as_array()) {
    refunded_at_gateway += refund.at("amount").as_int64();
    ++refunds;
  }
  EXPECT_EQ(refunds, 3);
  EXPECT_EQ(refunded_at_gateway, total);
  ASSERT_EQ(ledger.at("payment_intents").as_array().size(), 1u);
  EXPECT_EQ(ledger.at("payment_intents").as_array()[0].at("amount_refunded").as_int64(), total);
  EXPECT_EQ(client.post("/v1/orders/no-such-order/refunds", "")->status, 404);
}

}  // namespace
}  // namespace of::e2e
