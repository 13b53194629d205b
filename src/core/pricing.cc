#include "core/pricing.h"

#include <optional>
#include <string>
#include <utility>

namespace of::core {
namespace {

constexpr int64_t kBasisPointsPerUnit = 10'000;

// An amount whose magnitude is within kAmountMinorMax, or nullopt; an overflowed
// int64 counts as out of range too, so callers test one thing.
std::optional<int64_t> bounded(std::optional<int64_t> amount) {
  if (!amount || *amount < -kAmountMinorMax || *amount > kAmountMinorMax) return std::nullopt;
  return amount;
}

Status amount_limit(std::string_view what, std::string field = {}) {
  std::string message(what);
  message += " exceeds the largest amount orderflow accepts (";
  message += std::to_string(kAmountMinorMax);
  message += " minor units)";
  return Status::limit(std::move(message), std::move(field));
}

}  // namespace

TaxTable::TaxTable(std::vector<TaxRule> rules) : rules_(std::move(rules)) {}

int64_t TaxTable::rate_bp(const std::string& country, const std::string& region, const std::string& tax_class) const {
  // Specificity: a matching tax class outranks a matching region, which outranks
  // neither; that gives country+region+class > country+class > country+region >
  // country. A class rule states what a kind of goods owes everywhere in the
  // country (e-books exempt, food reduced), so a region's general rate must not
  // override it. Among equally specific rules the first one listed wins.
  int best_score = -1;
  int64_t best_rate_bp = 0;
  for (const TaxRule& rule : rules_) {
    if (rule.country != country) continue;
    if (!rule.region.empty() && rule.region != region) continue;
    if (!rule.tax_class.empty() && rule.tax_class != tax_class) continue;
    int score = (rule.tax_class.empty() ? 0 : 2) + (rule.region.empty() ? 0 : 1);
    if (score > best_score) {
      best_score = score;
      best_rate_bp = rule.rate_bp;
    }
  }
  return best_rate_bp;
}

ShippingTable::ShippingTable(std::vector<ShippingRule> rules) : rules_(std::move(rules)) {}

int64_t ShippingTable::shipping_minor(const std::string& country, int64_t subtotal_minor) const {
  const ShippingRule* match = nullptr;
  for (const ShippingRule& rule : rules_) {
    if (rule.country == country) {
      match = &rule;
      break;
    }
    if (rule.country == "*" && match == nullptr) match = &rule;
  }
  if (match == nullptr) return 0;
  if (match->free_at_or_above_minor > 0 && subtotal_minor >= match->free_at_or_above_minor) return 0;
  return match->flat_minor;
}

Result<PricedOrder> price_order(std::span<const PricingInput> inputs, const Address& destination, const TaxTable& taxes,
                                const ShippingTable& shipping) {
  PricedOrder priced;
  priced.lines.reserve(inputs.size());
  int64_t subtotal_minor = 0;
  int64_t tax_minor = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const PricingInput& input = inputs[i];
    OF_ASSERT(input.product != nullptr);
    OF_ASSERT(input.quantity > 0);
    const Product& product = *input.product;
    // The pointer names the request line this input came from, for the problem body.
    std::string field = "/lines/" + std::to_string(i);
    if (product.price_minor < 0) {
      // Catalog rows are validated on write, so a negative price means a corrupt store.
      return Status::internal("product " + product.id.str() + " has a negative price");
    }

    OrderLine line;
    line.product_id = product.id;
    line.name = product.name;
    line.quantity = input.quantity;
    line.unit_price_minor = product.price_minor;
    line.tax_class = product.tax_class;
    line.tax_rate_bp = taxes.rate_bp(destination.country, destination.region, product.tax_class);

    std::optional<int64_t> line_subtotal = bounded(checked_mul(product.price_minor, input.quantity));
    if (!line_subtotal) return amount_limit("the line subtotal", field);
    line.line_subtotal_minor = *line_subtotal;

    std::optional<int64_t> scaled_tax = checked_mul(*line_subtotal, line.tax_rate_bp);
    if (!scaled_tax) return amount_limit("the line tax", field);
    std::optional<int64_t> line_tax = bounded(divide_round_half_up(*scaled_tax, kBasisPointsPerUnit));
    if (!line_tax) return amount_limit("the line tax", field);
    line.tax_minor = *line_tax;

    std::optional<int64_t> next_subtotal = bounded(checked_add(subtotal_minor, line.line_subtotal_minor));
    if (!next_subtotal) return amount_limit("the order subtotal");
    subtotal_minor = *next_subtotal;
    std::optional<int64_t> next_tax = bounded(checked_add(tax_minor, line.tax_minor));
    if (!next_tax) return amount_limit("the order tax");
    tax_minor = *next_tax;

    priced.lines.push_back(std::move(line));
  }

  int64_t shipping_minor = shipping.shipping_minor(destination.country, subtotal_minor);
  std::optional<int64_t> total = bounded(checked_add(subtotal_minor, tax_minor));
  if (total) total = bounded(checked_add(*total, shipping_minor));
  if (!total) return amount_limit("the order total");

  priced.totals.subtotal_minor = subtotal_minor;
  priced.totals.tax_minor = tax_minor;
  priced.totals.shipping_minor = shipping_minor;
  priced.totals.total_minor = *total;
  return priced;
}

}  // namespace of::core
