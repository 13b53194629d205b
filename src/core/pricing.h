// Pricing: line totals, tax by destination and tax class, shipping. Pure.
//
// Prices always come from the catalog, never from the client. Tax is computed
// per line as round_half_up(line_subtotal * rate_bp / 10000); shipping is a flat
// amount per destination country, free at or above a subtotal threshold, and is
// not taxed. All arithmetic is checked against kAmountMinorMax.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "core/model.h"

namespace of::core {

// A tax rate for a destination and a product tax class. An empty region or
// tax class matches any. The most specific rule wins: country+region+class,
// then country+class, then country+region, then country; no rule means 0.
struct TaxRule {
  std::string country;
  std::string region;
  std::string tax_class;
  int64_t rate_bp = 0;  // basis points: 725 = 7.25 %
};

class TaxTable {
 public:
  TaxTable() = default;
  explicit TaxTable(std::vector<TaxRule> rules);
  int64_t rate_bp(const std::string& country, const std::string& region, const std::string& tax_class) const;
  const std::vector<TaxRule>& rules() const { return rules_; }

 private:
  std::vector<TaxRule> rules_;
};

// Shipping per destination country; country "*" is the default.
struct ShippingRule {
  std::string country;
  int64_t flat_minor = 0;
  int64_t free_at_or_above_minor = 0;  // 0: never free
};

class ShippingTable {
 public:
  ShippingTable() = default;
  explicit ShippingTable(std::vector<ShippingRule> rules);
  int64_t shipping_minor(const std::string& country, int64_t subtotal_minor) const;
  const std::vector<ShippingRule>& rules() const { return rules_; }

 private:
  std::vector<ShippingRule> rules_;
};

struct PricingInput {
  const Product* product = nullptr;  // never null
  int64_t quantity = 0;              // already validated: 1..kQuantityMax
};

struct PricedOrder {
  std::vector<OrderLine> lines;
  Totals totals;
};

// Prices the lines for a destination. kLimitExceeded when an amount passes
// kAmountMinorMax.
Result<PricedOrder> price_order(std::span<const PricingInput> inputs, const Address& destination,
                                const TaxTable& taxes, const ShippingTable& shipping);

}  // namespace of::core
