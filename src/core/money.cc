#include "core/money.h"

#include <array>
#include <cstdlib>

namespace of::core {
namespace {

struct CurrencyInfo {
  std::string_view code;
  int exponent;
};

// The currencies orderflow prices in. A code outside this table is refused rather
// than guessed at, because the exponent decides what "1299" means.
constexpr std::array kCurrencies = {
    CurrencyInfo{"AUD", 2}, CurrencyInfo{"BHD", 3}, CurrencyInfo{"BRL", 2}, CurrencyInfo{"CAD", 2},
    CurrencyInfo{"CHF", 2}, CurrencyInfo{"CNY", 2}, CurrencyInfo{"CZK", 2}, CurrencyInfo{"DKK", 2},
    CurrencyInfo{"EUR", 2}, CurrencyInfo{"GBP", 2}, CurrencyInfo{"HKD", 2}, CurrencyInfo{"INR", 2},
    CurrencyInfo{"JPY", 0}, CurrencyInfo{"KRW", 0}, CurrencyInfo{"KWD", 3}, CurrencyInfo{"MXN", 2},
    CurrencyInfo{"NOK", 2}, CurrencyInfo{"NZD", 2}, CurrencyInfo{"PLN", 2}, CurrencyInfo{"SEK", 2},
    CurrencyInfo{"SGD", 2}, CurrencyInfo{"USD", 2}, CurrencyInfo{"ZAR", 2},
};

bool is_three_upper_letters(std::string_view code) {
  if (code.size() != 3) return false;
  for (char c : code) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

}  // namespace

Result<Currency> Currency::parse(std::string_view code) {
  if (!is_three_upper_letters(code)) {
    // The input is not echoed: it may be arbitrary client bytes of any length.
    return Status::invalid("currency must be a 3-letter upper-case ISO 4217 code such as \"USD\"");
  }
  for (const CurrencyInfo& info : kCurrencies) {
    if (info.code == code) return Currency(std::string(info.code), info.exponent);
  }
  std::string message = "currency \"";
  message += code;
  message += "\" is not supported; supported currencies are";
  for (size_t i = 0; i < kCurrencies.size(); ++i) {
    message += i == 0 ? " " : ", ";
    message += kCurrencies[i].code;
  }
  return Status::invalid(std::move(message));
}

std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

int64_t divide_round_half_up(int64_t numerator, int64_t denominator) {
  OF_ASSERT(denominator > 0);
  int64_t quotient = numerator / denominator;
  // C++ truncates toward zero, so the remainder has the numerator's sign and
  // |remainder| < denominator; comparing against denominator - |remainder|
  // avoids computing 2 * |remainder|, which could overflow.
  int64_t remainder = numerator % denominator;
  int64_t magnitude = remainder < 0 ? -remainder : remainder;
  if (magnitude >= denominator - magnitude) quotient += numerator < 0 ? -1 : 1;
  return quotient;
}

std::string format_amount(int64_t amount_minor, const Currency& currency) {
  // Unsigned magnitude so that INT64_MIN formats instead of overflowing on negation.
  uint64_t magnitude = amount_minor < 0 ? 0 - static_cast<uint64_t>(amount_minor) : static_cast<uint64_t>(amount_minor);
  std::string digits = std::to_string(magnitude);
  int exponent = currency.exponent();
  std::string out = amount_minor < 0 ? "-" : "";
  if (exponent <= 0) return out + digits;
  size_t width = static_cast<size_t>(exponent);
  if (digits.size() <= width) digits.insert(0, width + 1 - digits.size(), '0');
  out += digits.substr(0, digits.size() - width);
  out += '.';
  out += digits.substr(digits.size() - width);
  return out;
}

}  // namespace of::core
