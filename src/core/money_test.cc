#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace of::core {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

Currency currency(std::string_view code) {
  Result<Currency> parsed = Currency::parse(code);
  EXPECT_TRUE(parsed.is_ok()) << parsed.status().to_string();
  return parsed.is_ok() ? *parsed : Currency();
}

TEST(CurrencyTest, AcceptsEveryBuiltInCodeWithItsExponent) {
  struct Case {
    std::string_view code;
    int exponent;
  };
  const Case cases[] = {
      {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"CAD", 2}, {"AUD", 2}, {"CHF", 2}, {"SEK", 2}, {"NOK", 2},
      {"DKK", 2}, {"PLN", 2}, {"CZK", 2}, {"JPY", 0}, {"KRW", 0}, {"INR", 2}, {"BRL", 2}, {"MXN", 2},
      {"CNY", 2}, {"NZD", 2}, {"SGD", 2}, {"HKD", 2}, {"ZAR", 2}, {"KWD", 3}, {"BHD", 3},
  };
  for (const Case& c : cases) {
    Result<Currency> parsed = Currency::parse(c.code);
    ASSERT_TRUE(parsed.is_ok()) << c.code;
    EXPECT_EQ(parsed->code(), c.code);
    EXPECT_EQ(parsed->exponent(), c.exponent) << c.code;
    EXPECT_FALSE(parsed->empty());
  }
}

TEST(CurrencyTest, RefusesMalformedCodes) {
  for (std::string_view code : {"", "usd", "Usd", "US", "USDD", "U$D", " USD", "12A"}) {
    Result<Currency> parsed = Currency::parse(code);
    ASSERT_FALSE(parsed.is_ok()) << code;
    EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("upper-case ISO 4217"), std::string::npos);
  }
}

TEST(CurrencyTest, RefusesUnknownCodesAndListsTheSupportedOnes) {
  Result<Currency> parsed = Currency::parse("XYZ");
  ASSERT_FALSE(parsed.is_ok());
  EXPECT_EQ(parsed.status().code(), Code::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("\"XYZ\" is not supported"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("USD"), std::string::npos);
  EXPECT_NE(parsed.status().message().find("KWD"), std::string::npos);
}

TEST(CurrencyTest, EqualityIsByCode) {
  EXPECT_EQ(currency("USD"), currency("USD"));
  EXPECT_FALSE(currency("USD") == currency("EUR"));
  EXPECT_TRUE(Currency().empty());
}

TEST(CheckedArithmeticTest, AddDetectsOverflowBothWays) {
  EXPECT_EQ(checked_add(2, 3), 5);
  EXPECT_EQ(checked_add(-2, 3), 1);
  EXPECT_EQ(checked_add(kInt64Max, 0), kInt64Max);
  EXPECT_EQ(checked_add(kInt64Max, 1), std::nullopt);
  EXPECT_EQ(checked_add(kInt64Min, -1), std::nullopt);
  EXPECT_EQ(checked_add(kInt64Min, kInt64Max), -1);
}

TEST(CheckedArithmeticTest, MulDetectsOverflowBothWays) {
  EXPECT_EQ(checked_mul(6, 7), 42);
  EXPECT_EQ(checked_mul(-6, 7), -42);
  EXPECT_EQ(checked_mul(kAmountMinorMax, 1000), kAmountMinorMax * 1000);
  EXPECT_EQ(checked_mul(kAmountMinorMax, 1'000'000), std::nullopt);
  EXPECT_EQ(checked_mul(kInt64Max, 2), std::nullopt);
  EXPECT_EQ(checked_mul(kInt64Min, -1), std::nullopt);
  EXPECT_EQ(checked_mul(kInt64Min, 1), kInt64Min);
}

TEST(DivideRoundHalfUpTest, RoundsHalvesAwayFromZero) {
  struct Case {
    int64_t numerator;
    int64_t denominator;
    int64_t expected;
  };
  const Case cases[] = {
      {0, 10'000, 0},
      {10, 4, 3},          // 2.5 -> 3
      {-10, 4, -3},        // -2.5 -> -3
      {9, 4, 2},           // 2.25 -> 2
      {-9, 4, -2},         // -2.25 -> -2
      {11, 4, 3},          // 2.75 -> 3
      {-11, 4, -3},        // -2.75 -> -3
      {5'000, 10'000, 1},  // half a cent rounds up
      {4'999, 10'000, 0},  // just under half rounds down
      {-5'000, 10'000, -1},
      {-4'999, 10'000, 0},
      {15'000, 10'000, 2},  // 1.5 -> 2
      {25'000, 10'000, 3},  // 2.5 -> 3 (not banker's rounding)
      {7, 1, 7},
      {-7, 1, -7},
      {1, 3, 0},
      {2, 3, 1},
      {-2, 3, -1},
      {kInt64Max, kInt64Max, 1},
      {kInt64Max, 2, kInt64Max / 2 + 1},
      {kInt64Min, 2, kInt64Min / 2},
      {kInt64Min + 1, 2, kInt64Min / 2},  // -4611686018427387903.5 -> away from zero
      {kInt64Max - 1, kInt64Max, 1},
      {kInt64Max / 2, kInt64Max, 0},  // just under half of a huge denominator
  };
  for (const Case& c : cases) {
    EXPECT_EQ(divide_round_half_up(c.numerator, c.denominator), c.expected) << c.numerator << " / " << c.denominator;
  }
}

TEST(FormatAmountTest, UsesTheCurrencyExponent) {
  EXPECT_EQ(format_amount(1234, currency("USD")), "12.34");
  EXPECT_EQ(format_amount(1234, currency("JPY")), "1234");
  EXPECT_EQ(format_amount(-5, currency("USD")), "-0.05");
  EXPECT_EQ(format_amount(0, currency("USD")), "0.00");
  EXPECT_EQ(format_amount(5, currency("USD")), "0.05");
  EXPECT_EQ(format_amount(100, currency("EUR")), "1.00");
  EXPECT_EQ(format_amount(-1234, currency("JPY")), "-1234");
  EXPECT_EQ(format_amount(0, currency("KRW")), "0");
  EXPECT_EQ(format_amount(1234, currency("KWD")), "1.234");
  EXPECT_EQ(format_amount(7, currency("BHD")), "0.007");
  EXPECT_EQ(format_amount(-1000, currency("BHD")), "-1.000");
  EXPECT_EQ(format_amount(kAmountMinorMax, currency("USD")), "100000000000.00");
  EXPECT_EQ(format_amount(kInt64Min, currency("USD")), "-92233720368547758.08");
  EXPECT_EQ(format_amount(kInt64Max, currency("USD")), "92233720368547758.07");
}

}  // namespace
}  // namespace of::core
