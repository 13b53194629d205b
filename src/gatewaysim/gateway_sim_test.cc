// GatewaySim over HTTP, in-process on free ports: signed webhooks reach a
// receiver and verify; fault settings are validated; timeouts hold answers.
#include "gatewaysim/gateway_sim.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "crypto/signature.h"
#include "net/http_client.h"
#include "net/http_server.h"

namespace of::gatewaysim {
namespace {

struct Received {
  std::string signature;
  std::string body;
};

class WebhookReceiver {
 public:
  WebhookReceiver()
      : server_({"127.0.0.1", 0, 1}, [this](net::HttpRequest request, std::shared_ptr<net::Responder> responder) {
          {
            std::lock_guard lock(mutex_);
            // The first delivery of each event fails, so the sender's retry is exercised.
            ++calls_;
            if (calls_ % 2 == 1) return responder->respond({503, "text/plain", {}, "busy"});
            received_.push_back({std::string(request.header(crypto::kSignatureHeader)), request.body});
          }
          changed_.notify_all();
          responder->respond({200, "text/plain", {}, "ok"});
        }) {}
  Status start() { return server_.start(); }
  uint16_t port() const { return server_.port(); }
  std::vector<Received> wait_for(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Received> received_;
  int calls_ = 0;
  net::HttpServer server_;
};

std::string local_url(uint16_t port) {
  std::string url = "http://127.0.0.1:";
  url += std::to_string(port);
  return url;
}

TEST(GatewaySim, SignedWebhooksReachTheReceiverAndVerify) {
  WebhookReceiver receiver;
  ASSERT_TRUE(receiver.start().is_ok());
  GatewaySimOptions options;
  options.port = 0;
  options.webhook_url = local_url(receiver.port()) + "/webhooks/gateway";
  options.webhook_secret = "whsec_unit";
  GatewaySim sim(options);
  ASSERT_TRUE(sim.start().is_ok());
  net::HttpClient client({"127.0.0.1", sim.port(), 1000, 5000});
  auto paid =
      client.request("POST", "/v1/payment_intents", R"({"amount":1200,"currency":"usd","payment_method":"tok_visa"})",
                     {{"Idempotency-Key", "w1"}});
  ASSERT_TRUE(paid && paid->status == 200);
  auto declined =
      client.request("POST", "/v1/payment_intents",
                     R"({"amount":1200,"currency":"usd","payment_method":"tok_decline"})", {{"Idempotency-Key", "w2"}});
  ASSERT_TRUE(declined && declined->status == 402);
  std::string intent_id(boost::json::parse(paid->body).at("id").as_string());
  auto refunded = client.request("POST", "/v1/refunds", R"({"payment_intent":")" + intent_id + R"(","amount":200})",
                                 {{"Idempotency-Key", "w3"}});
  ASSERT_TRUE(refunded && refunded->status == 200) << (refunded ? refunded->body : "");

  auto received = receiver.wait_for(3);
  ASSERT_EQ(received.size(), 3u);
  std::vector<std::string> types;
  int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& webhook : received) {
    EXPECT_TRUE(crypto::verify_webhook("whsec_unit", webhook.signature, webhook.body, now_s, 300).is_ok())
        << webhook.signature;
    EXPECT_FALSE(crypto::verify_webhook("whsec_forged", webhook.signature, webhook.body, now_s, 300).is_ok());
    types.emplace_back(boost::json::parse(webhook.body).at("type").as_string());
  }
  EXPECT_EQ(types,
            (std::vector<std::string>{"payment_intent.succeeded", "payment_intent.payment_failed", "refund.created"}));
}

TEST(GatewaySim, FaultSettingsAreValidatedAndTimeoutsHoldTheAnswer) {
  GatewaySimOptions options;
  options.port = 0;
  GatewaySim sim(options);
  ASSERT_TRUE(sim.start().is_ok());
  net::HttpClient client({"127.0.0.1", sim.port(), 1000, 5000});
  for (const char* bad : {R"({"error_rate":1.5})", R"({"latency_ms_min":10,"latency_ms_max":5})",
                          R"({"no_such_setting":1})", R"({"error_rate":"high"})", "[]"}) {
    auto response = client.post("/admin/faults", bad);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << bad;
  }
  auto set = client.post("/admin/faults", R"({"timeout_rate":1,"timeout_hold_ms":300})");
  ASSERT_TRUE(set && set->status == 200) << (set ? set->body : "");
  auto started = std::chrono::steady_clock::now();
  auto held =
      client.request("POST", "/v1/payment_intents", R"({"amount":100,"currency":"usd","payment_method":"tok_visa"})",
                     {{"Idempotency-Key", "t1"}});
  ASSERT_TRUE(held);
  EXPECT_EQ(held->status, 504);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(250));
  // Admin routes are never faulted.
  auto faults = client.get("/admin/faults");
  ASSERT_TRUE(faults && faults->status == 200);
  EXPECT_EQ(boost::json::parse(faults->body).at("injected").at("timeouts").as_int64(), 1);
}

TEST(GatewaySim, LatencyFlagParses) {
  FaultOptions faults;
  EXPECT_TRUE(parse_latency("5", faults).is_ok());
  EXPECT_EQ(faults.latency_ms_min, 5);
  EXPECT_EQ(faults.latency_ms_max, 5);
  EXPECT_TRUE(parse_latency("2..40", faults).is_ok());
  EXPECT_EQ(faults.latency_ms_min, 2);
  EXPECT_EQ(faults.latency_ms_max, 40);
  EXPECT_FALSE(parse_latency("40..2", faults).is_ok());
  EXPECT_FALSE(parse_latency("fast", faults).is_ok());
  EXPECT_FALSE(parse_latency("", faults).is_ok());
}

}  // namespace
}  // namespace of::gatewaysim
