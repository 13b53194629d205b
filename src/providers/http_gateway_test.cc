// HttpPaymentGateway against the gateway simulator, in-process on a free port.
#include "providers/http_gateway.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "gatewaysim/gateway_sim.h"
#include "net/http_client.h"

namespace of::providers {
namespace {

using services::ChargeRequest;
using services::GatewayResult;
using Outcome = GatewayResult::Outcome;

// Built in steps: g++ 12 warns falsely (-Wrestrict) on a chain of + here.
std::string url(uint16_t port) {
  std::string text = "http://127.0.0.1:";
  text += std::to_string(port);
  return text;
}

class HttpGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gatewaysim::GatewaySimOptions options;
    options.port = 0;
    options.seed = 7;
    sim_ = std::make_unique<gatewaysim::GatewaySim>(options);
    ASSERT_TRUE(sim_->start().is_ok());
    HttpGatewayOptions gateway_options;
    gateway_options.base_url = url(sim_->port()) + "/";
    gateway_options.timeout_ms = 300;
    gateway_options.pool_max = 2;
    gateway_ = std::make_unique<HttpPaymentGateway>(gateway_options);
  }

  ChargeRequest charge(const std::string& key, const std::string& token = "tok_visa", int64_t amount = 2500) {
    std::string order = "o-";
    order += key;
    return {key, OrderId(order), token, amount, "USD"};
  }

  // Successful charges in the simulator's ledger.
  int succeeded() {
    net::HttpClient client({"127.0.0.1", sim_->port(), 1000, 5000});
    auto response = client.get("/admin/ledger");
    EXPECT_TRUE(response && response->status == 200);
    int count = 0;
    boost::json::value ledger = boost::json::parse(response->body);
    for (const auto& intent : ledger.at("payment_intents").as_array()) {
      if (intent.at("status").as_string() == "succeeded") ++count;
    }
    return count;
  }

  std::unique_ptr<gatewaysim::GatewaySim> sim_;
  std::unique_ptr<HttpPaymentGateway> gateway_;
};

TEST_F(HttpGatewayTest, ApprovesOnceForOneKey) {
  GatewayResult first = gateway_->charge(charge("k1"));
  ASSERT_EQ(first.outcome, Outcome::kApproved) << first.message;
  EXPECT_EQ(first.reference.rfind("pi_", 0), 0u);
  GatewayResult again = gateway_->charge(charge("k1"));
  EXPECT_EQ(again.outcome, Outcome::kApproved);
  EXPECT_EQ(again.reference, first.reference);
  EXPECT_EQ(succeeded(), 1);
}

TEST_F(HttpGatewayTest, DeclinesCarryTheirCodeProcessingErrorsAreTransient) {
  EXPECT_EQ(gateway_->charge(charge("d1", "tok_decline")).decline_code, "card_declined");
  EXPECT_EQ(gateway_->charge(charge("d2", "tok_insufficient_funds")).decline_code, "insufficient_funds");
  GatewayResult expired = gateway_->charge(charge("d3", "tok_expired"));
  EXPECT_EQ(expired.outcome, Outcome::kDeclined);
  EXPECT_EQ(expired.decline_code, "expired_card");
  EXPECT_EQ(gateway_->charge(charge("d4", "tok_processing_error")).outcome, Outcome::kTransientError);
  EXPECT_EQ(gateway_->charge(charge("d5", "tok_no_such_token")).outcome, Outcome::kDeclined);
  EXPECT_EQ(succeeded(), 0);
}

TEST_F(HttpGatewayTest, LostResponseIsResolvedByLookingUpTheKey) {
  GatewayResult lost = gateway_->charge(charge("lost", "tok_lost_response"));
  EXPECT_EQ(lost.outcome, Outcome::kApproved) << lost.message;
  gatewaysim::FaultOptions faults;
  faults.lost_response_rate = 1.0;  // every processed POST loses its answer
  faults.lost_response_delay_ms = 10;
  sim_->set_faults(faults);
  for (const char* n : {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}) {
    GatewayResult result = gateway_->charge(charge(std::string("k") + n));
    EXPECT_EQ(result.outcome, Outcome::kApproved) << result.message;
    GatewayResult declined = gateway_->charge(charge(std::string("d") + n, "tok_insufficient_funds"));
    EXPECT_EQ(declined.outcome, Outcome::kDeclined) << declined.message;
    EXPECT_EQ(declined.decline_code, "insufficient_funds");
  }
  EXPECT_EQ(succeeded(), 11);
}

TEST_F(HttpGatewayTest, TimeoutsAndErrorsAreTransientAndNeverChargeTwice) {
  gatewaysim::FaultOptions faults;
  faults.timeout_rate = 1.0;
  faults.timeout_hold_ms = 1'000;  // beyond the adapter's 300 ms
  sim_->set_faults(faults);
  GatewayResult timed_out = gateway_->charge(charge("t"));
  EXPECT_EQ(timed_out.outcome, Outcome::kTransientError);
  EXPECT_NE(timed_out.message.find("outcome unknown"), std::string::npos) << timed_out.message;
  faults = {};
  faults.error_rate = 1.0;
  sim_->set_faults(faults);
  EXPECT_EQ(gateway_->charge(charge("t")).outcome, Outcome::kTransientError);
  sim_->set_faults({});
  GatewayResult settled = gateway_->charge(charge("t"));
  EXPECT_EQ(settled.outcome, Outcome::kApproved) << settled.message;
  EXPECT_LE(succeeded(), 1);
  EXPECT_EQ(succeeded(), 1);
}

TEST_F(HttpGatewayTest, UnreachableGatewayIsTransient) {
  uint16_t port = sim_->port();
  sim_->stop();
  HttpGatewayOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  options.timeout_ms = 300;
  HttpPaymentGateway gateway(options);
  GatewayResult result = gateway.charge(charge("k"));
  EXPECT_EQ(result.outcome, Outcome::kTransientError);
  EXPECT_NE(result.message.find("unreachable"), std::string::npos) << result.message;
}

TEST_F(HttpGatewayTest, RefundsArePartialAndNeverExceedTheCapture) {
  GatewayResult paid = gateway_->charge(charge("c", "tok_visa", 1000));
  ASSERT_EQ(paid.outcome, Outcome::kApproved);
  services::RefundRequest refund{"r1", paid.reference, 600, "USD"};
  GatewayResult first = gateway_->refund(refund);
  ASSERT_EQ(first.outcome, Outcome::kApproved) << first.message;
  EXPECT_EQ(first.reference.rfind("re_", 0), 0u);
  EXPECT_EQ(gateway_->refund(refund).reference, first.reference);  // same key: same refund
  gatewaysim::FaultOptions faults;
  faults.lost_response_rate = 1.0;
  faults.lost_response_delay_ms = 10;
  sim_->set_faults(faults);
  GatewayResult lost = gateway_->refund({"r2", paid.reference, 300, "USD"});
  EXPECT_EQ(lost.outcome, Outcome::kApproved) << lost.message;
  sim_->set_faults({});
  GatewayResult too_much = gateway_->refund({"r3", paid.reference, 101, "USD"});
  EXPECT_EQ(too_much.outcome, Outcome::kDeclined);
  EXPECT_EQ(too_much.decline_code, "amount_too_large");
}

TEST(MapGatewayReply, StatusesMapToOutcomes) {
  using Reply = HttpPaymentGateway::Reply;
  EXPECT_EQ(map_gateway_reply(Reply{false, 0, "", "timeout"}).outcome, Outcome::kTransientError);
  EXPECT_EQ(map_gateway_reply(Reply{true, 503, "", ""}).outcome, Outcome::kTransientError);
  EXPECT_EQ(map_gateway_reply(Reply{true, 429, "", ""}).outcome, Outcome::kTransientError);
  EXPECT_EQ(map_gateway_reply(Reply{true, 200, "not json", ""}).outcome, Outcome::kTransientError);
  GatewayResult bad = map_gateway_reply(Reply{true, 400, R"({"error":{"code":"parameter_missing"}})", ""});
  EXPECT_EQ(bad.outcome, Outcome::kDeclined);
  EXPECT_EQ(bad.decline_code, "parameter_missing");
}

}  // namespace
}  // namespace of::providers
