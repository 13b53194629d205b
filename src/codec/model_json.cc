#include "codec/model_json.h"

#include <boost/json.hpp>
#include <limits>

#include "codec/json_reader.h"

namespace of::codec {
namespace {

namespace json = boost::json;
using detail::ArrayReader;
using detail::kAnyStringRule;
using detail::ObjectReader;
using detail::UnknownFields;

// Stored rows were validated at the edge when they were written. Decoding them
// checks types and presence only, not today's length limits, so tightening a
// limit never makes old rows unreadable; unknown members are skipped so a row
// written by a newer version still decodes after a rollback.
constexpr size_t kStoredListMax = std::numeric_limits<uint32_t>::max();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr std::string_view kWhat = "stored JSON";

template <class T>
Result<T> finish(const Status& status, T value) {
  if (!status.is_ok()) return status;
  return value;
}

json::object address_object(const core::Address& address) {
  return {
      {"name", address.name},       {"line1", address.line1},   {"line2", address.line2},
      {"city", address.city},       {"region", address.region}, {"postalCode", address.postal_code},
      {"country", address.country},
  };
}

core::Address read_address(ObjectReader& in) {
  core::Address address;
  address.name = in.text("name", kAnyStringRule);
  address.line1 = in.text("line1", kAnyStringRule);
  address.line2 = in.optional_text("line2", kAnyStringRule).value_or("");
  address.city = in.text("city", kAnyStringRule);
  address.region = in.optional_text("region", kAnyStringRule).value_or("");
  address.postal_code = in.text("postalCode", kAnyStringRule);
  address.country = in.text("country", kAnyStringRule);
  return address;
}

}  // namespace

std::string encode_address(const core::Address& address) { return json::serialize(address_object(address)); }

Result<core::Address> decode_address(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "address", {"name", "line1", "line2", "city", "region", "postalCode", "country"},
                  UnknownFields::kIgnore);
  core::Address address = read_address(in);
  return finish(status, std::move(address));
}

std::string encode_order_lines(const std::vector<core::OrderLine>& lines) {
  json::array out;
  out.reserve(lines.size());
  for (const core::OrderLine& line : lines) {
    out.push_back(json::object{
        {"productId", line.product_id.str()},
        {"name", line.name},
        {"quantity", line.quantity},
        {"unitPrice", line.unit_price_minor},
        {"lineSubtotal", line.line_subtotal_minor},
        {"taxClass", line.tax_class},
        {"taxRateBp", line.tax_rate_bp},
        {"tax", line.tax_minor},
    });
  }
  return json::serialize(out);
}

Result<std::vector<core::OrderLine>> decode_order_lines(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ArrayReader array = detail::read_array(&status, &root, "", "order lines", 0, kStoredListMax);
  std::vector<core::OrderLine> lines;
  lines.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    ObjectReader in =
        array.object(i, {"productId", "name", "quantity", "unitPrice", "lineSubtotal", "taxClass", "taxRateBp", "tax"},
                     UnknownFields::kIgnore);
    core::OrderLine line;
    line.product_id = Sku(in.text("productId", detail::kNonEmptyStringRule));
    line.name = in.text("name", kAnyStringRule);
    line.quantity = in.integer("quantity", kInt64Min, kInt64Max);
    line.unit_price_minor = in.integer("unitPrice", kInt64Min, kInt64Max);
    line.line_subtotal_minor = in.integer("lineSubtotal", kInt64Min, kInt64Max);
    line.tax_class = in.text("taxClass", kAnyStringRule);
    line.tax_rate_bp = in.integer("taxRateBp", kInt64Min, kInt64Max);
    line.tax_minor = in.integer("tax", kInt64Min, kInt64Max);
    lines.push_back(std::move(line));
  }
  return finish(status, std::move(lines));
}

std::string encode_reserved_items(const std::vector<core::ReservedItem>& items) {
  json::array out;
  out.reserve(items.size());
  for (const core::ReservedItem& item : items) {
    out.push_back(json::object{{"productId", item.product_id.str()}, {"quantity", item.quantity}});
  }
  return json::serialize(out);
}

Result<std::vector<core::ReservedItem>> decode_reserved_items(std::string_view text) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(text, kWhat));
  Status status;
  ArrayReader array = detail::read_array(&status, &root, "", "reserved items", 0, kStoredListMax);
  std::vector<core::ReservedItem> items;
  items.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) {
    ObjectReader in = array.object(i, {"productId", "quantity"}, UnknownFields::kIgnore);
    core::ReservedItem item;
    item.product_id = Sku(in.text("productId", detail::kNonEmptyStringRule));
    item.quantity = in.integer("quantity", kInt64Min, kInt64Max);
    items.push_back(std::move(item));
  }
  return finish(status, std::move(items));
}

}  // namespace of::codec
