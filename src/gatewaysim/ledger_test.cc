#include "gatewaysim/ledger.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <string>

#include "support/temp_dir.h"

namespace of::gatewaysim {
namespace {

namespace json = boost::json;

constexpr TimeMs kNow = 1'790'000'000'000;  // 2026

json::object parse(const std::string& body) { return json::parse(body).as_object(); }

std::string charge_body(int64_t amount, const std::string& payment_method = "tok_visa") {
  return R"({"amount":)" + std::to_string(amount) + R"(,"currency":"USD","payment_method":")" + payment_method +
         R"(","metadata":{"order_id":"o-1"}})";
}

TEST(Ledger, RepeatedKeyWithSameParametersReturnsTheFirstPayment) {
  ManualClock clock(kNow);
  Ledger ledger(clock, "");
  ASSERT_TRUE(ledger.open().is_ok());
  Answer first = ledger.create_payment_intent("order-1-charge", charge_body(1500));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(parse(first.body).at("status").as_string(), "succeeded");
  EXPECT_EQ(first.events.size(), 1u);
  Answer again = ledger.create_payment_intent("order-1-charge", charge_body(1500));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(parse(again.body).at("id"), parse(first.body).at("id"));
  EXPECT_TRUE(again.events.empty()) << "a replay is not a new event";
  ASSERT_EQ(ledger.payment_intents().size(), 1u);
  EXPECT_EQ(ledger.payment_intents()[0].amount_received, 1500);

  Answer found = ledger.find_payment_intent_by_key("order-1-charge");
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(parse(found.body).at("id"), parse(first.body).at("id"));
  EXPECT_EQ(ledger.find_payment_intent_by_key("never-seen").status, 404);
}

TEST(Ledger, RepeatedKeyWithOtherParametersIsRefused) {
  ManualClock clock(kNow);
  Ledger ledger(clock, "");
  ASSERT_TRUE(ledger.open().is_ok());
  ASSERT_EQ(ledger.create_payment_intent("k", charge_body(1500)).status, 200);
  for (const std::string& body : {charge_body(1501), charge_body(1500, "tok_mastercard")}) {
    Answer answer = ledger.create_payment_intent("k", body);
    EXPECT_EQ(answer.status, 422) << answer.body;
    EXPECT_EQ(parse(answer.body).at("error").at("type").as_string(), "idempotency_error");
  }
  // A payment's key cannot be reused for a refund either.
  auto intent_id = std::string(parse(ledger.find_payment_intent_by_key("k").body).at("id").as_string());
  EXPECT_EQ(ledger.create_refund("k", R"({"payment_intent":")" + intent_id + R"("})").status, 422);
  EXPECT_EQ(ledger.payment_intents().size(), 1u);
}

TEST(Ledger, KeyIsRequiredAndBounded) {
  ManualClock clock(kNow);
  Ledger ledger(clock, "");
  ASSERT_TRUE(ledger.open().is_ok());
  EXPECT_EQ(ledger.create_payment_intent("", charge_body(100)).status, 400);
  EXPECT_EQ(ledger.create_payment_intent(std::string(256, 'k'), charge_body(100)).status, 400);
  EXPECT_EQ(ledger.create_payment_intent("k", R"({"amount":0,"currency":"usd","payment_method":"tok_visa"})").status,
            400);
  EXPECT_EQ(ledger.create_payment_intent("k", "{not json").status, 400);
  // Validation failures bind nothing: the key still works.
  EXPECT_EQ(ledger.create_payment_intent("k", charge_body(100)).status, 200);
}

TEST(Ledger, DeclinesAreRememberedProcessingErrorsAreNot) {
  ManualClock clock(kNow);
  Ledger ledger(clock, "");
  ASSERT_TRUE(ledger.open().is_ok());
  struct Case {
    const char* token;
    const char* code;
    const char* decline_code;
  };
  for (const Case& c : {Case{"tok_decline", "card_declined", "generic_decline"},
                        Case{"tok_chargeDeclined", "card_declined", "generic_decline"},
                        Case{"tok_insufficient_funds", "card_declined", "insufficient_funds"},
                        Case{"tok_expired", "expired_card", "expired_card"}}) {
    std::string key = std::string("key-") + c.token;
    for (int attempt = 0; attempt < 2; ++attempt) {
      Answer answer = ledger.create_payment_intent(key, charge_body(700, c.token));
      ASSERT_EQ(answer.status, 402) << answer.body;
      auto error = parse(answer.body).at("error").as_object();
      EXPECT_EQ(error.at("code").as_string(), c.code);
      EXPECT_EQ(error.at("decline_code").as_string(), c.decline_code);
    }
    EXPECT_EQ(parse(ledger.find_payment_intent_by_key(key).body).at("status").as_string(), "requires_payment_method");
  }
  Answer processing = ledger.create_payment_intent("pe", charge_body(700, "tok_processing_error"));
  EXPECT_EQ(processing.status, 402);
  EXPECT_EQ(parse(processing.body).at("error").at("code").as_string(), "processing_error");
  EXPECT_EQ(ledger.find_payment_intent_by_key("pe").status, 404);
  EXPECT_EQ(ledger.create_payment_intent("u", charge_body(700, "tok_unknown")).status, 400);
}

TEST(Ledger, LostResponseCardIsChargedAndFlagged) {
  ManualClock clock(kNow);
  Ledger ledger(clock, "");
  ASSERT_TRUE(ledger.open().is_ok());
  Answer first = ledger.create_payment_intent("lost", charge_body(900, "tok_lost_response"));
  EXPECT_EQ(first.status, 200);
  EXPECT_TRUE(first.lose_response);
  Answer replay = ledger.create_payment_intent("lost", charge_body(900, "tok_lost_response"));
  EXPECT_EQ(replay.status, 200);
  EXPECT_FALSE(replay.lose_response) << "only the first answer is lost";
}

TEST(Ledger, TokensKeepOnlyLast4AndSelectOutcomes) {
  of::testing::TempDir dir("ledger-test");
  ManualClock clock(kNow);
  std::string path = (dir.path() / "ledger.jsonl").string();
  std::string token_id;
  {
    Ledger ledger(clock, path);
    ASSERT_TRUE(ledger.open().is_ok());
    Answer token =
        ledger.create_token(R"({"card":{"number":"4000 0000 0000 9995","exp_month":12,"exp_year":2030,"cvc":"314"}})");
    ASSERT_EQ(token.status, 200) << token.body;
    EXPECT_EQ(token.body.find("4000000000009995"), std::string::npos);
    token_id = std::string(parse(token.body).at("id").as_string());
    EXPECT_EQ(parse(token.body).at("card").at("last4").as_string(), "9995");
    Answer charge = ledger.create_payment_intent("t1", charge_body(100, token_id));
    EXPECT_EQ(parse(charge.body).at("error").at("decline_code").as_string(), "insufficient_funds");

    Answer expired =
        ledger.create_token(R"({"card":{"number":"4242424242424242","exp_month":1,"exp_year":2020,"cvc":"123"}})");
    ASSERT_EQ(expired.status, 200);
    std::string expired_id(parse(expired.body).at("id").as_string());
    EXPECT_EQ(
        parse(ledger.create_payment_intent("t2", charge_body(100, expired_id)).body).at("error").at("code").as_string(),
        "expired_card");

    EXPECT_EQ(ledger.create_token(R"({"card":{"number":"4242424242424241","exp_month":1,"exp_year":2030}})").status,
              402);
    EXPECT_EQ(ledger.create_token(R"({"card":{"number":"4242424242424242","exp_month":13,"exp_year":2030}})").status,
              402);
    EXPECT_EQ(ledger.create_token(R"({"card":{"number":"4242424242424242","exp_month":1,"exp_year":2030,"cvc":"12"}})")
                  .status,
              402);
  }
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str().find("4000000000009995"), std::string::npos) << "the card number reached the ledger file";
  // The CVC is not written under any name (its digits could occur by chance in a random id).
  EXPECT_EQ(content.str().find("cvc"), std::string::npos) << "the CVC reached the ledger file";
  // The token survives a restart.
  Ledger reopened(clock, path);
  ASSERT_TRUE(reopened.open().is_ok());
  EXPECT_EQ(reopened.create_payment_intent("t3", charge_body(100, token_id)).status, 402);
}

TEST(Ledger, RefundsArePartialMultipleAndNeverAboveTheCapture) {
  ManualClock clock(kNow);
  Ledger ledger(clock, "");
  ASSERT_TRUE(ledger.open().is_ok());
  std::string id(parse(ledger.create_payment_intent("c", charge_body(1000)).body).at("id").as_string());
  auto refund = [&](const std::string& key, int64_t amount) {
    return ledger.create_refund(key, R"({"payment_intent":")" + id + R"(","amount":)" + std::to_string(amount) + "}");
  };
  EXPECT_EQ(refund("r1", 300).status, 200);
  EXPECT_EQ(refund("r1", 300).status, 200);  // a replay, not a second refund
  EXPECT_EQ(refund("r1", 301).status, 422);
  EXPECT_EQ(refund("r2", 600).status, 200);
  Answer too_much = refund("r3", 101);
  EXPECT_EQ(too_much.status, 400);
  EXPECT_EQ(parse(too_much.body).at("error").at("code").as_string(), "amount_too_large");
  EXPECT_EQ(refund("r4", 100).status, 200);
  EXPECT_EQ(parse(refund("r5", 1).body).at("error").at("code").as_string(), "charge_already_refunded");
  EXPECT_EQ(ledger.refunds().size(), 3u);
  EXPECT_EQ(ledger.payment_intents()[0].amount_refunded, 1000);
  EXPECT_EQ(ledger.find_refund_by_key("r2").status, 200);
  EXPECT_EQ(ledger.find_refund_by_key("r3").status, 404);
  EXPECT_EQ(ledger.create_refund("r6", R"({"payment_intent":"pi_nope"})").status, 404);
}

TEST(Ledger, ManualCaptureThenRefund) {
  ManualClock clock(kNow);
  Ledger ledger(clock, "");
  ASSERT_TRUE(ledger.open().is_ok());
  Answer created = ledger.create_payment_intent(
      "m", R"({"amount":1000,"currency":"usd","payment_method":"tok_visa","capture":false})");
  ASSERT_EQ(parse(created.body).at("status").as_string(), "requires_capture");
  std::string id(parse(created.body).at("id").as_string());
  EXPECT_EQ(ledger.create_refund("r", R"({"payment_intent":")" + id + R"("})").status, 400);
  EXPECT_EQ(ledger.capture_payment_intent(id, R"({"amount_to_capture":1001})").status, 400);
  Answer captured = ledger.capture_payment_intent(id, R"({"amount_to_capture":800})");
  ASSERT_EQ(captured.status, 200);
  EXPECT_EQ(parse(captured.body).at("amount_received").as_int64(), 800);
  EXPECT_EQ(ledger.capture_payment_intent(id, "").status, 400);  // captured once only
  EXPECT_EQ(parse(ledger.create_refund("r", R"({"payment_intent":")" + id + R"("})").body).at("amount").as_int64(),
            800);
}

TEST(Ledger, RestartKeepsIdempotencyCapturesAndRefunds) {
  of::testing::TempDir dir("ledger-test");
  ManualClock clock(kNow);
  std::string path = (dir.path() / "ledger.jsonl").string();
  std::string id;
  {
    Ledger ledger(clock, path);
    ASSERT_TRUE(ledger.open().is_ok());
    id = std::string(parse(ledger.create_payment_intent("c", charge_body(1000)).body).at("id").as_string());
    ASSERT_EQ(ledger.create_refund("r1", R"({"payment_intent":")" + id + R"(","amount":400})").status, 200);
    ASSERT_EQ(ledger.create_payment_intent("d", charge_body(1000, "tok_decline")).status, 402);
  }
  {
    std::ofstream torn(path, std::ios::app);
    torn << R"({"type":"payment_intent","id":"pi_torn)";  // a crash mid-line
  }
  Ledger ledger(clock, path);
  ASSERT_TRUE(ledger.open().is_ok());
  Answer again = ledger.create_payment_intent("c", charge_body(1000));
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(parse(again.body).at("id").as_string(), id);
  EXPECT_EQ(parse(again.body).at("amount_refunded").as_int64(), 400);
  EXPECT_EQ(ledger.create_payment_intent("c", charge_body(999)).status, 422);
  EXPECT_EQ(ledger.create_payment_intent("d", charge_body(1000, "tok_decline")).status, 402);
  EXPECT_EQ(ledger.create_refund("r2", R"({"payment_intent":")" + id + R"(","amount":601})").status, 400);
  EXPECT_EQ(ledger.create_refund("r2", R"({"payment_intent":")" + id + R"(","amount":600})").status, 200);
  EXPECT_EQ(ledger.payment_intents().size(), 2u);
}

}  // namespace
}  // namespace of::gatewaysim
