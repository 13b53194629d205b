#include "net/http.h"

#include <gtest/gtest.h>

namespace of::net {
namespace {

TEST(HttpHelpers, FindHeaderIsCaseInsensitive) {
  Headers headers = {{"Content-Type", "application/json"}, {"X-Trace", "abc"}, {"x-trace", "second"}};
  EXPECT_EQ(find_header(headers, "content-type"), "application/json");
  EXPECT_EQ(find_header(headers, "CONTENT-TYPE"), "application/json");
  EXPECT_EQ(find_header(headers, "x-trace"), "abc");  // the first one wins
  EXPECT_EQ(find_header(headers, "missing"), "");
  EXPECT_EQ(find_header({}, "anything"), "");
}

TEST(HttpHelpers, PercentDecode) {
  EXPECT_EQ(percent_decode("plain"), "plain");
  EXPECT_EQ(percent_decode("a%20b"), "a b");
  EXPECT_EQ(percent_decode("%2Fpath%2f"), "/path/");
  EXPECT_EQ(percent_decode("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(percent_decode("a+b"), "a+b");  // '+' is a space only in queries
  // Malformed escapes are kept literally rather than rejected.
  EXPECT_EQ(percent_decode("100%"), "100%");
  EXPECT_EQ(percent_decode("%4"), "%4");
  EXPECT_EQ(percent_decode("%zz"), "%zz");
  EXPECT_EQ(percent_decode(""), "");
}

TEST(HttpHelpers, PercentEncodeKeepsUnreserved) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(percent_encode("caf\xC3\xA9"), "caf%C3%A9");
  EXPECT_EQ(percent_encode("+%"), "%2B%25");
}

TEST(HttpHelpers, PercentRoundTrip) {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  EXPECT_EQ(percent_decode(percent_encode(all)), all);
}

TEST(HttpHelpers, QueryParams) {
  HttpRequest request;
  request.query = "status=paid&limit=10&name=J%C3%BCrgen+M%C3%BCller&empty=&flag&a%20b=c+d&limit=20";
  EXPECT_EQ(request.query_param("status"), "paid");
  EXPECT_EQ(request.query_param("limit"), "10");  // first value
  EXPECT_EQ(request.query_param("name"), "J\xC3\xBCrgen M\xC3\xBCller");
  EXPECT_EQ(request.query_param("a b"), "c d");
  EXPECT_TRUE(request.has_query_param("empty"));
  EXPECT_EQ(request.query_param("empty"), "");
  EXPECT_TRUE(request.has_query_param("flag"));
  EXPECT_FALSE(request.has_query_param("missing"));
  EXPECT_FALSE(request.has_query_param("stat"));
  EXPECT_EQ(request.query_param("missing"), "");
}

TEST(HttpHelpers, QueryParamsEdgeCases) {
  HttpRequest request;
  EXPECT_FALSE(request.has_query_param("a"));
  request.query = "&&a=1&&";
  EXPECT_EQ(request.query_param("a"), "1");
  request.query = "a=x=y";
  EXPECT_EQ(request.query_param("a"), "x=y");
}

TEST(HttpHelpers, RequestHeaderAccessor) {
  HttpRequest request;
  request.headers = {{"Idempotency-Key", "k1"}};
  EXPECT_EQ(request.header("idempotency-key"), "k1");
}

}  // namespace
}  // namespace of::net
