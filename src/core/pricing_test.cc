#include "core/pricing.h"

#include <gtest/gtest.h>

#include <vector>

namespace of::core {
namespace {

Product product(std::string id, int64_t price_minor, std::string tax_class = "standard") {
  Product p;
  p.id = Sku(std::move(id));
  p.name = "Product " + p.id.str();
  p.price_minor = price_minor;
  p.currency = *Currency::parse("USD");
  p.tax_class = std::move(tax_class);
  return p;
}

Address address(std::string country, std::string region = {}) {
  Address a;
  a.name = "Ada Lovelace";
  a.line1 = "1 Main St";
  a.city = "Springfield";
  a.postal_code = "12345";
  a.country = std::move(country);
  a.region = std::move(region);
  return a;
}

TEST(TaxTableTest, MostSpecificRuleWins) {
  TaxTable table({
      {"US", "", "", 500},
      {"US", "", "food", 100},
      {"US", "CA", "", 725},
      {"US", "CA", "food", 0},
      {"DE", "", "", 1900},
  });
  EXPECT_EQ(table.rate_bp("US", "CA", "food"), 0);        // country+region+class
  EXPECT_EQ(table.rate_bp("US", "CA", "standard"), 725);  // country+region
  EXPECT_EQ(table.rate_bp("US", "NY", "food"), 100);      // country+class
  EXPECT_EQ(table.rate_bp("US", "TX", "food"), 100);      // country+class, not the country's 500
  EXPECT_EQ(table.rate_bp("US", "NY", "standard"), 500);  // country
  EXPECT_EQ(table.rate_bp("US", "", "standard"), 500);
  EXPECT_EQ(table.rate_bp("DE", "BY", "food"), 1900);
  EXPECT_EQ(table.rate_bp("FR", "", "standard"), 0);    // no rule
  EXPECT_EQ(table.rate_bp("us", "CA", "standard"), 0);  // countries are exact, upper case
}

TEST(TaxTableTest, TaxClassOutranksRegionWhateverTheOrder) {
  // Listed least specific first and most specific first: same answers.
  std::vector<TaxRule> rules = {{"US", "", "food", 100}, {"US", "CA", "", 725}, {"US", "CA", "food", 50}};
  TaxTable forward(rules);
  TaxTable backward(std::vector<TaxRule>(rules.rbegin(), rules.rend()));
  for (const TaxTable* table : {&forward, &backward}) {
    EXPECT_EQ(table->rate_bp("US", "CA", "food"), 50);
    EXPECT_EQ(table->rate_bp("US", "CA", "books"), 725);
    EXPECT_EQ(table->rate_bp("US", "TX", "food"), 100);
    EXPECT_EQ(table->rate_bp("US", "TX", "books"), 0);
  }
  // Without the three-part rule, country+class beats country+region: an
  // exempt or reduced class keeps its rate in every region.
  TaxTable two({{"US", "", "food", 100}, {"US", "CA", "", 725}});
  EXPECT_EQ(two.rate_bp("US", "CA", "food"), 100);
  EXPECT_EQ(two.rate_bp("US", "CA", "books"), 725);
}

TEST(TaxTableTest, FirstOfEquallySpecificRulesWins) {
  TaxTable table({{"US", "", "", 500}, {"US", "", "", 600}});
  EXPECT_EQ(table.rate_bp("US", "", "standard"), 500);
  EXPECT_EQ(TaxTable().rate_bp("US", "", "standard"), 0);
}

TEST(ShippingTableTest, ExactCountryThenDefaultThenZero) {
  ShippingTable table({{"*", 1500, 0}, {"US", 500, 5000}, {"CA", 900, 0}});
  EXPECT_EQ(table.shipping_minor("US", 100), 500);
  EXPECT_EQ(table.shipping_minor("CA", 100), 900);
  EXPECT_EQ(table.shipping_minor("FR", 100), 1500);
  EXPECT_EQ(ShippingTable({{"US", 500, 0}}).shipping_minor("FR", 100), 0);
  EXPECT_EQ(ShippingTable().shipping_minor("US", 100), 0);
}

TEST(ShippingTableTest, FreeAtOrAboveTheThreshold) {
  ShippingTable table({{"US", 500, 5000}, {"CA", 900, 0}});
  EXPECT_EQ(table.shipping_minor("US", 4999), 500);
  EXPECT_EQ(table.shipping_minor("US", 5000), 0);
  EXPECT_EQ(table.shipping_minor("US", 5001), 0);
  // A zero threshold means never free.
  EXPECT_EQ(table.shipping_minor("CA", 0), 900);
  EXPECT_EQ(table.shipping_minor("CA", kAmountMinorMax), 900);
}

TEST(PriceOrderTest, PricesLinesTaxAndShipping) {
  Product mug = product("sku-mug", 1299);
  Product bread = product("sku-bread", 350, "food");
  TaxTable taxes({{"US", "CA", "", 725}, {"US", "CA", "food", 0}});
  ShippingTable shipping({{"US", 599, 10000}});
  std::vector<PricingInput> inputs = {{&mug, 2}, {&bread, 3}};

  Result<PricedOrder> priced = price_order(inputs, address("US", "CA"), taxes, shipping);
  ASSERT_TRUE(priced.is_ok()) << priced.status().to_string();
  ASSERT_EQ(priced->lines.size(), 2u);
  const OrderLine& first = priced->lines[0];
  EXPECT_EQ(first.product_id, Sku("sku-mug"));
  EXPECT_EQ(first.name, "Product sku-mug");
  EXPECT_EQ(first.quantity, 2);
  EXPECT_EQ(first.unit_price_minor, 1299);
  EXPECT_EQ(first.line_subtotal_minor, 2598);
  EXPECT_EQ(first.tax_class, "standard");
  EXPECT_EQ(first.tax_rate_bp, 725);
  EXPECT_EQ(first.tax_minor, 188);  // 2598 * 0.0725 = 188.355
  const OrderLine& second = priced->lines[1];
  EXPECT_EQ(second.line_subtotal_minor, 1050);
  EXPECT_EQ(second.tax_rate_bp, 0);
  EXPECT_EQ(second.tax_minor, 0);
  EXPECT_EQ(priced->totals.subtotal_minor, 3648);
  EXPECT_EQ(priced->totals.tax_minor, 188);
  EXPECT_EQ(priced->totals.shipping_minor, 599);
  EXPECT_EQ(priced->totals.total_minor, 3648 + 188 + 599);
}

TEST(PriceOrderTest, TaxRoundsHalfACentUpPerLine) {
  // 1000 bp of 5 = 0.5 -> 1; of 4 = 0.4 -> 0; of 15 = 1.5 -> 2; of 25 = 2.5 -> 3.
  struct Case {
    int64_t price;
    int64_t rate_bp;
    int64_t tax;
  };
  const Case cases[] = {
      {5, 1000, 1},     {4, 1000, 0}, {15, 1000, 2}, {25, 1000, 3}, {200, 25, 1},  // 0.5 exactly
      {199, 25, 0},                                                                // 0.4975
      {1999, 825, 165},                                                            // 164.9175
      {1, 4999, 0},                                                                // 0.4999
      {1, 5000, 1},                                                                // 0.5
  };
  for (const Case& c : cases) {
    Product p = product("sku", c.price);
    std::vector<PricingInput> inputs = {{&p, 1}};
    Result<PricedOrder> priced = price_order(inputs, address("US"), TaxTable({{"US", "", "", c.rate_bp}}), {});
    ASSERT_TRUE(priced.is_ok());
    EXPECT_EQ(priced->lines[0].tax_minor, c.tax) << c.price << " at " << c.rate_bp << " bp";
  }
}

TEST(PriceOrderTest, TaxIsRoundedPerLineNotPerOrder) {
  // Two lines of 0.5 cent tax each: 1 + 1, where rounding the sum would give 1.
  Product a = product("sku-a", 5);
  Product b = product("sku-b", 5);
  std::vector<PricingInput> inputs = {{&a, 1}, {&b, 1}};
  Result<PricedOrder> priced = price_order(inputs, address("US"), TaxTable({{"US", "", "", 1000}}), {});
  ASSERT_TRUE(priced.is_ok());
  EXPECT_EQ(priced->totals.tax_minor, 2);
}

TEST(PriceOrderTest, FreeShippingComparesTheSubtotalBeforeTax) {
  Product p = product("sku", 2500);
  TaxTable taxes({{"US", "", "", 1000}});
  ShippingTable shipping({{"US", 700, 5000}});
  std::vector<PricingInput> just_under = {{&p, 1}};  // 2500 + 250 tax: not free
  Result<PricedOrder> under = price_order(just_under, address("US"), taxes, shipping);
  ASSERT_TRUE(under.is_ok());
  EXPECT_EQ(under->totals.shipping_minor, 700);
  EXPECT_EQ(under->totals.total_minor, 2500 + 250 + 700);

  std::vector<PricingInput> at = {{&p, 2}};  // subtotal exactly 5000: free
  Result<PricedOrder> free = price_order(at, address("US"), taxes, shipping);
  ASSERT_TRUE(free.is_ok());
  EXPECT_EQ(free->totals.shipping_minor, 0);
  EXPECT_EQ(free->totals.total_minor, 5500);
}

TEST(PriceOrderTest, EmptyInputPricesToShippingOnly) {
  Result<PricedOrder> priced = price_order({}, address("US"), {}, ShippingTable({{"*", 300, 0}}));
  ASSERT_TRUE(priced.is_ok());
  EXPECT_TRUE(priced->lines.empty());
  EXPECT_EQ(priced->totals.total_minor, 300);
}

TEST(PriceOrderTest, LineSubtotalAboveTheLimitIsRefused) {
  Product p = product("sku-big", kAmountMinorMax);
  std::vector<PricingInput> one = {{&p, 1}};
  EXPECT_TRUE(price_order(one, address("US"), {}, {}).is_ok());

  Product q = product("sku-ok", 1);
  std::vector<PricingInput> inputs = {{&q, 1}, {&p, 2}};
  Result<PricedOrder> priced = price_order(inputs, address("US"), {}, {});
  ASSERT_FALSE(priced.is_ok());
  EXPECT_EQ(priced.status().code(), Code::kLimitExceeded);
  EXPECT_EQ(priced.status().field(), "/lines/1");
}

TEST(PriceOrderTest, SubtotalTaxAndTotalAboveTheLimitAreRefused) {
  Product half = product("sku-half", kAmountMinorMax / 2 + 1);
  std::vector<PricingInput> two = {{&half, 1}, {&half, 1}};
  Result<PricedOrder> subtotal = price_order(two, address("US"), {}, {});
  ASSERT_FALSE(subtotal.is_ok());
  EXPECT_EQ(subtotal.status().code(), Code::kLimitExceeded);
  EXPECT_NE(subtotal.status().message().find("subtotal"), std::string::npos);

  // Within the limit before tax, over it after.
  Product max = product("sku-max", kAmountMinorMax);
  std::vector<PricingInput> one = {{&max, 1}};
  Result<PricedOrder> taxed = price_order(one, address("US"), TaxTable({{"US", "", "", 100}}), {});
  ASSERT_FALSE(taxed.is_ok());
  EXPECT_EQ(taxed.status().code(), Code::kLimitExceeded);

  Result<PricedOrder> shipped = price_order(one, address("US"), {}, ShippingTable({{"US", 1, 0}}));
  ASSERT_FALSE(shipped.is_ok());
  EXPECT_EQ(shipped.status().code(), Code::kLimitExceeded);
  EXPECT_NE(shipped.status().message().find("total"), std::string::npos);
}

TEST(PriceOrderTest, Int64OverflowIsALimitNotAWrap) {
  Product p = product("sku", kAmountMinorMax);
  std::vector<PricingInput> inputs = {{&p, 1000}};
  Result<PricedOrder> priced = price_order(inputs, address("US"), {}, {});
  ASSERT_FALSE(priced.is_ok());
  EXPECT_EQ(priced.status().code(), Code::kLimitExceeded);

  // A rate so large that subtotal * rate overflows int64.
  std::vector<PricingInput> one = {{&p, 1}};
  Result<PricedOrder> taxed = price_order(one, address("US"), TaxTable({{"US", "", "", int64_t{1} << 40}}), {});
  ASSERT_FALSE(taxed.is_ok());
  EXPECT_EQ(taxed.status().code(), Code::kLimitExceeded);
}

TEST(PriceOrderTest, NegativeCatalogPriceIsAnInternalError) {
  Product p = product("sku", -1);
  std::vector<PricingInput> inputs = {{&p, 1}};
  Result<PricedOrder> priced = price_order(inputs, address("US"), {}, {});
  ASSERT_FALSE(priced.is_ok());
  EXPECT_EQ(priced.status().code(), Code::kInternal);
}

}  // namespace
}  // namespace of::core
