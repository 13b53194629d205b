#include "codec/model_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <limits>
#include <string>

namespace of::codec {
namespace {

namespace json = boost::json;

core::Address full_address() { return {"Zoë Ångström", "1 Main St", "Apt \"2\"", "Springfield", "CA", "90210", "US"}; }

TEST(AddressJsonTest, RoundTrips) {
  core::Address address = full_address();
  std::string text = encode_address(address);
  EXPECT_EQ(json::parse(text), json::parse(R"({"name":"Zoë Ångström","line1":"1 Main St","line2":"Apt \"2\"",
      "city":"Springfield","region":"CA","postalCode":"90210","country":"US"})"));
  Result<core::Address> decoded = decode_address(text);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ(decoded->name, address.name);
  EXPECT_EQ(decoded->line1, address.line1);
  EXPECT_EQ(decoded->line2, address.line2);
  EXPECT_EQ(decoded->city, address.city);
  EXPECT_EQ(decoded->region, address.region);
  EXPECT_EQ(decoded->postal_code, address.postal_code);
  EXPECT_EQ(decoded->country, address.country);
  EXPECT_EQ(encode_address(*decoded), text);
}

TEST(AddressJsonTest, OlderAndNewerRowsDecode) {
  // An older row without the optional members, and a newer one with an extra member.
  Result<core::Address> older =
      decode_address(R"({"name":"A","line1":"L","city":"C","postalCode":"P","country":"US"})");
  ASSERT_TRUE(older.is_ok()) << older.status().to_string();
  EXPECT_EQ(older->line2, "");
  EXPECT_EQ(older->region, "");
  Result<core::Address> newer =
      decode_address(R"({"name":"A","line1":"L","city":"C","postalCode":"P","country":"US","phone":"555"})");
  EXPECT_TRUE(newer.is_ok());
}

TEST(AddressJsonTest, RefusesCorruptRows) {
  struct Case {
    std::string text;
    std::string field;
  };
  const std::vector<Case> cases = {
      {R"({"line1":"L","city":"C","postalCode":"P","country":"US"})", "/name"},
      {R"({"name":1,"line1":"L","city":"C","postalCode":"P","country":"US"})", "/name"},
      {R"({"name":"A","line1":"L","line2":7,"city":"C","postalCode":"P","country":"US"})", "/line2"},
      {R"(["A"])", ""},
      {R"({"name":"A")", ""},
  };
  for (const Case& c : cases) {
    Result<core::Address> decoded = decode_address(c.text);
    ASSERT_FALSE(decoded.is_ok()) << c.text;
    EXPECT_EQ(decoded.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(decoded.status().field(), c.field) << decoded.status().to_string();
  }
  EXPECT_NE(decode_address("{\"name\":").status().message().find("stored JSON is not valid JSON"), std::string::npos);
}

TEST(OrderLinesJsonTest, RoundTrips) {
  std::vector<core::OrderLine> lines(2);
  lines[0] = {Sku("sku-1"), "Mug", 2, 1299, 2598, "standard", 725, 188};
  lines[1] = {Sku("sku-2"), "Bread", 1000, 0, 0, "food", 0, 0};
  std::string text = encode_order_lines(lines);
  EXPECT_EQ(json::parse(text).as_array()[0],
            json::parse(R"({"productId":"sku-1","name":"Mug","quantity":2,"unitPrice":1299,"lineSubtotal":2598,
                "taxClass":"standard","taxRateBp":725,"tax":188})"));
  Result<std::vector<core::OrderLine>> decoded = decode_order_lines(text);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_EQ(decoded->size(), 2u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const core::OrderLine& want = lines[i];
    const core::OrderLine& got = (*decoded)[i];
    EXPECT_EQ(got.product_id, want.product_id);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.quantity, want.quantity);
    EXPECT_EQ(got.unit_price_minor, want.unit_price_minor);
    EXPECT_EQ(got.line_subtotal_minor, want.line_subtotal_minor);
    EXPECT_EQ(got.tax_class, want.tax_class);
    EXPECT_EQ(got.tax_rate_bp, want.tax_rate_bp);
    EXPECT_EQ(got.tax_minor, want.tax_minor);
  }
  EXPECT_EQ(encode_order_lines(*decoded), text);
}

TEST(OrderLinesJsonTest, EmptyAndExtremeValuesRoundTrip) {
  EXPECT_EQ(encode_order_lines({}), "[]");
  Result<std::vector<core::OrderLine>> empty = decode_order_lines("[]");
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(empty->empty());

  std::vector<core::OrderLine> lines(1);
  lines[0] = {Sku("s"), "", std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(), 0, "", -1, 0};
  Result<std::vector<core::OrderLine>> decoded = decode_order_lines(encode_order_lines(lines));
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  EXPECT_EQ((*decoded)[0].quantity, std::numeric_limits<int64_t>::max());
  EXPECT_EQ((*decoded)[0].unit_price_minor, std::numeric_limits<int64_t>::min());
}

TEST(OrderLinesJsonTest, RefusesCorruptRowsWithAPointer) {
  std::vector<core::OrderLine> lines(3);
  for (auto& line : lines) line = {Sku("sku"), "n", 1, 1, 1, "standard", 0, 0};
  json::value valid = json::parse(encode_order_lines(lines));

  json::value fraction = valid;
  fraction.at_pointer("/2/quantity") = 1.5;
  Result<std::vector<core::OrderLine>> decoded = decode_order_lines(json::serialize(fraction));
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_EQ(decoded.status().field(), "/2/quantity");

  json::value missing = valid;
  missing.at_pointer("/1").as_object().erase("tax");
  EXPECT_EQ(decode_order_lines(json::serialize(missing)).status().field(), "/1/tax");

  json::value empty_sku = valid;
  empty_sku.at_pointer("/0/productId") = "";
  EXPECT_EQ(decode_order_lines(json::serialize(empty_sku)).status().field(), "/0/productId");

  EXPECT_FALSE(decode_order_lines(R"({"lines":[]})").is_ok());
  EXPECT_FALSE(decode_order_lines("[1]").is_ok());
  EXPECT_FALSE(decode_order_lines("[").is_ok());
}

TEST(ReservedItemsJsonTest, RoundTrips) {
  std::vector<core::ReservedItem> items = {{Sku("sku-1"), 2}, {Sku("sku-2"), 1000}};
  std::string text = encode_reserved_items(items);
  EXPECT_EQ(text, R"([{"productId":"sku-1","quantity":2},{"productId":"sku-2","quantity":1000}])");
  Result<std::vector<core::ReservedItem>> decoded = decode_reserved_items(text);
  ASSERT_TRUE(decoded.is_ok()) << decoded.status().to_string();
  ASSERT_EQ(decoded->size(), 2u);
  EXPECT_EQ((*decoded)[0].product_id, Sku("sku-1"));
  EXPECT_EQ((*decoded)[0].quantity, 2);
  EXPECT_EQ((*decoded)[1].product_id, Sku("sku-2"));
  EXPECT_EQ((*decoded)[1].quantity, 1000);
  EXPECT_EQ(encode_reserved_items({}), "[]");
  EXPECT_TRUE(decode_reserved_items("[]").is_ok());
}

TEST(ReservedItemsJsonTest, RefusesCorruptRows) {
  EXPECT_EQ(decode_reserved_items(R"([{"productId":"s","quantity":"2"}])").status().field(), "/0/quantity");
  EXPECT_EQ(decode_reserved_items(R"([{"quantity":2}])").status().field(), "/0/productId");
  EXPECT_EQ(decode_reserved_items(R"([{"productId":"s","quantity":2,"productId":"t"}])").status().code(),
            Code::kInvalidArgument);
  EXPECT_FALSE(decode_reserved_items(std::string(10'000, '[')).is_ok());
  EXPECT_FALSE(decode_reserved_items("").is_ok());
}

}  // namespace
}  // namespace of::codec
