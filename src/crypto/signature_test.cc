#include "crypto/signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace of::crypto {
namespace {

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, KeyLongerThanTheBlockIsHashedFirst) {
  // RFC 4231 test case 6: a 131-byte key.
  std::string key(131, '\xaa');
  EXPECT_EQ(hmac_sha256_hex(key, "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(ConstantTimeEqual, ComparesContentAndLength) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(RandomId, HasPrefixAndHexAndDiffers) {
  std::string a = random_id("tok_");
  std::string b = random_id("tok_");
  EXPECT_EQ(a.size(), 4u + 24u);
  EXPECT_EQ(a.rfind("tok_", 0), 0u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 4), std::string::npos);
  EXPECT_NE(a, b);
}

TEST(WebhookSignature, SignedBodyVerifies) {
  std::string body = R"({"type":"payment_intent.succeeded"})";
  std::string header = sign_webhook("whsec_test", 1'700'000'000, body);
  EXPECT_EQ(header.rfind("t=1700000000,v1=", 0), 0u);
  EXPECT_EQ(header, "t=1700000000,v1=" + hmac_sha256_hex("whsec_test", "1700000000." + body));
  EXPECT_TRUE(verify_webhook("whsec_test", header, body, 1'700'000'010, 300).is_ok());
}

TEST(WebhookSignature, ForgedTamperedAndReplayedAreRefused) {
  std::string body = R"({"amount":1000})";
  std::string header = sign_webhook("whsec_test", 1'700'000'000, body);
  // Another secret (a forger), a changed body, a changed timestamp.
  EXPECT_EQ(verify_webhook("whsec_other", header, body, 1'700'000'000, 300).code(), Code::kInvalidArgument);
  EXPECT_EQ(verify_webhook("whsec_test", header, R"({"amount":1001})", 1'700'000'000, 300).code(),
            Code::kInvalidArgument);
  std::string moved = "t=1700000001" + header.substr(header.find(','));
  EXPECT_EQ(verify_webhook("whsec_test", moved, body, 1'700'000'000, 300).code(), Code::kInvalidArgument);
  // A genuine signature replayed later than the tolerance.
  EXPECT_EQ(verify_webhook("whsec_test", header, body, 1'700'000'301, 300).code(), Code::kConflict);
  EXPECT_EQ(verify_webhook("whsec_test", header, body, 1'699'999'699, 300).code(), Code::kConflict);
}

TEST(WebhookSignature, MalformedHeadersAreRefused) {
  for (const std::string& header : std::vector<std::string>{"", "garbage", "t=,v1=00", "t=12x,v1=00", "t=1700000000",
                                                            "v1=abcd", std::string(2000, 'a')}) {
    EXPECT_EQ(verify_webhook("s", header, "{}", 1'700'000'000, 300).code(), Code::kInvalidArgument) << header;
  }
}

TEST(WebhookSignature, AnyOfSeveralV1SignaturesMayMatch) {
  // During a secret rotation the sender signs with both secrets.
  std::string body = "{}";
  std::string good = sign_webhook("new", 1'700'000'000, body);
  std::string header = "t=1700000000,v1=" + std::string(64, '0') + "," + good.substr(good.find("v1="));
  EXPECT_TRUE(verify_webhook("new", header, body, 1'700'000'000, 300).is_ok());
}

}  // namespace
}  // namespace of::crypto
