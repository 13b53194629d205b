// Money: integer minor units with an ISO 4217 currency. No floating point.
//
// Arithmetic is checked: an overflow of int64 is an error value, never a wrap.
// Rounding of tax uses half-up on the exact integer quotient (see pricing.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace of::core {

// A known ISO 4217 currency code, upper case, and its minor-unit exponent
// (USD 2, JPY 0, KWD 3). Only currencies in the built-in table are accepted.
class Currency {
 public:
  Currency() = default;
  static Result<Currency> parse(std::string_view code);
  const std::string& code() const { return code_; }
  int exponent() const { return exponent_; }
  bool operator==(const Currency& other) const { return code_ == other.code_; }
  bool empty() const { return code_.empty(); }

 private:
  Currency(std::string code, int exponent) : code_(std::move(code)), exponent_(exponent) {}
  std::string code_;
  int exponent_ = 2;
};

// Largest amount orderflow accepts anywhere (one order total, one price):
// 10^13 minor units (100 billion dollars). Bounds every multiplication below.
inline constexpr int64_t kAmountMinorMax = 10'000'000'000'000LL;

// Checked arithmetic: nullopt on int64 overflow.
std::optional<int64_t> checked_add(int64_t a, int64_t b);
std::optional<int64_t> checked_mul(int64_t a, int64_t b);

// round(numerator / denominator) with halves rounded away from zero; denominator > 0.
int64_t divide_round_half_up(int64_t numerator, int64_t denominator);

// "12.34" for (1234, USD), "1234" for (1234, JPY), "-0.05" for (-5, USD).
std::string format_amount(int64_t amount_minor, const Currency& currency);

}  // namespace of::core
