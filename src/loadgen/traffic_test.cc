#include "loadgen/traffic.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <set>

namespace of::loadgen {
namespace {

TEST(TrafficTest, SharesAreRespectedAndBodiesAreWellFormed) {
  TrafficMix mix;
  mix.products = 50;
  mix.invalid_share = 0.1;
  mix.decline_share = 0.2;
  mix.cancel_share = 0.1;
  ASSERT_TRUE(validate(mix).is_ok());
  OrderGenerator generator(mix, 99);
  int invalid = 0, declined = 0, cancelled = 0;
  constexpr int kOrders = 20'000;
  for (int i = 0; i < kOrders; ++i) {
    PlannedOrder order = generator.next();
    if (order.kind == OrderKind::kInvalid) {
      ++invalid;
      EXPECT_FALSE(order.cancel);
      continue;
    }
    if (order.kind == OrderKind::kDeclined) ++declined;
    if (order.cancel) ++cancelled;
    boost::system::error_code error;
    auto value = boost::json::parse(order.body, error);
    ASSERT_FALSE(error) << order.body;
    const auto& lines = value.at("lines").as_array();
    ASSERT_GE(lines.size(), 1u);
    ASSERT_LE(lines.size(), 5u);
    std::set<std::string> products;
    for (const auto& line : lines) {
      products.insert(std::string(line.at("productId").as_string()));
      EXPECT_GE(line.at("quantity").as_int64(), 1);
      EXPECT_LE(line.at("quantity").as_int64(), 3);
    }
    EXPECT_EQ(products.size(), lines.size()) << "lines name distinct products";
    EXPECT_EQ(value.at("paymentToken").as_string(), order.kind == OrderKind::kDeclined ? "tok_decline" : "tok_visa");
  }
  EXPECT_NEAR(invalid, kOrders * 0.1, kOrders * 0.02);
  EXPECT_NEAR(declined, kOrders * 0.2, kOrders * 0.02);
  EXPECT_NEAR(cancelled, kOrders * 0.1, kOrders * 0.02);
}

TEST(TrafficTest, SameSeedSameOrders) {
  TrafficMix mix;
  mix.invalid_share = 0.05;
  OrderGenerator a(mix, 5), b(mix, 5);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(a.next().body, b.next().body);
}

TEST(TrafficTest, TinyCatalogStillGivesDistinctLines) {
  TrafficMix mix;
  mix.products = 2;
  mix.lines_min = 5;
  mix.lines_max = 5;
  mix.zipf_exponent = 5;
  OrderGenerator generator(mix, 1);
  auto value = boost::json::parse(generator.next().body);
  EXPECT_EQ(value.at("lines").as_array().size(), 2u);
}

TEST(TrafficTest, ValidateRefusesBadMixes) {
  TrafficMix mix;
  mix.invalid_share = 0.6;
  mix.decline_share = 0.6;
  EXPECT_FALSE(validate(mix).is_ok());
  mix = {};
  mix.products = 0;
  EXPECT_FALSE(validate(mix).is_ok());
  mix = {};
  mix.lines_min = 3;
  mix.lines_max = 2;
  EXPECT_FALSE(validate(mix).is_ok());
  mix = {};
  mix.cancel_share = -0.1;
  EXPECT_FALSE(validate(mix).is_ok());
}

TEST(TrafficTest, ProductIdsArePadded) {
  EXPECT_EQ(bench_product_id(42), "bench-p-000042");
  EXPECT_GT(bench_product_price_minor(0), 0);
}

}  // namespace
}  // namespace of::loadgen
