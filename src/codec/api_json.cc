#include "codec/api_json.h"

#include <boost/json.hpp>

#include "codec/json_reader.h"
#include "core/money.h"

namespace of::codec {
namespace {

namespace json = boost::json;
using detail::ArrayReader;
using detail::kCountryCodeRule;
using detail::kCurrencyCodeRule;
using detail::kIdRule;
using detail::kOptionalTextRule;
using detail::kRequiredTextRule;
using detail::ObjectReader;
using detail::UnknownFields;

constexpr std::string_view kWhat = "body";
constexpr std::string_view kProblemTypeBase = "https://orderflow.dev/problems/";
// A storefront's payment token: printable ASCII, never a card number.
constexpr detail::TextRule kPaymentTokenRule{1, kIdLengthMax, detail::Charset::kPrintableAscii};

template <class T>
Result<T> finish(const Status& status, T value) {
  if (!status.is_ok()) return status;
  return value;
}

json::value string_or_null(const std::optional<std::string>& text) {
  if (!text) return nullptr;
  return json::value(*text);
}

// The API's shapes are written out here rather than shared with model_json.cc:
// the stored form must stay readable across versions, the API may evolve.
json::object address_json(const core::Address& address) {
  return {
      {"name", address.name},       {"line1", address.line1},   {"line2", address.line2},
      {"city", address.city},       {"region", address.region}, {"postalCode", address.postal_code},
      {"country", address.country},
  };
}

json::object status_change_json(const core::StatusChange& change) {
  json::value from = nullptr;
  if (change.from) from = json::value(core::to_string(*change.from));
  return {
      {"status", core::to_string(change.to)}, {"from", std::move(from)}, {"reason", change.reason},
      {"at", format_iso8601(change.at_ms)},   {"seq", change.event_seq},
  };
}

json::object order_json(const core::Order& order) {
  json::array lines;
  lines.reserve(order.lines.size());
  for (const core::OrderLine& line : order.lines) {
    lines.push_back(json::object{
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
  // The payment token is deliberately absent: it is a credential for charging
  // the customer, and nothing that reads an order needs it.
  return {
      {"id", order.id.str()},
      {"customerId", order.customer_id.str()},
      {"status", core::to_string(order.status)},
      {"currency", order.currency.code()},
      {"lines", std::move(lines)},
      {"totals",
       json::object{
           {"subtotal", order.totals.subtotal_minor},
           {"tax", order.totals.tax_minor},
           {"shipping", order.totals.shipping_minor},
           {"total", order.totals.total_minor},
           {"currency", order.currency.code()},
       }},
      {"shippingAddress", address_json(order.shipping_address)},
      {"createdAt", format_iso8601(order.created_at_ms)},
      {"updatedAt", format_iso8601(order.updated_at_ms)},
      {"refunded", order.refunded_minor},
  };
}

json::object product_json(const core::Product& product) {
  return {
      {"id", product.id.str()},        {"name", product.name},
      {"price", product.price_minor},  {"currency", product.currency.code()},
      {"taxClass", product.tax_class}, {"updatedAt", format_iso8601(product.updated_at_ms)},
  };
}

json::object dead_letter_json(const core::DeadLetter& dead_letter) {
  return {
      {"id", dead_letter.id},
      {"kind", core::to_string(dead_letter.kind)},
      {"consumer", dead_letter.consumer},
      {"eventSeq", dead_letter.event_seq},
      {"reference", dead_letter.reference},
      {"subject", dead_letter.subject},
      {"attempts", dead_letter.attempts},
      {"lastError", dead_letter.last_error},
      {"createdAt", format_iso8601(dead_letter.created_at_ms)},
      {"redrivenAt", detail::time_or_null(dead_letter.redriven_at_ms)},
  };
}

bool is_blank(std::string_view body) {
  for (char c : body) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

core::Address read_address(ObjectReader in) {
  core::Address address;
  address.name = in.text("name", kRequiredTextRule);
  address.line1 = in.text("line1", kRequiredTextRule);
  address.line2 = in.optional_text("line2", kOptionalTextRule).value_or("");
  address.city = in.text("city", kRequiredTextRule);
  address.region = in.optional_text("region", kOptionalTextRule).value_or("");
  address.postal_code = in.text("postalCode", kRequiredTextRule);
  address.country = in.text("country", kCountryCodeRule);
  return address;
}

}  // namespace

Result<CreateOrderRequest> decode_create_order(std::string_view body) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(body, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "the order",
                  {"customerId", "currency", "paymentToken", "shippingAddress", "lines", "source"},
                  UnknownFields::kReject);
  CreateOrderRequest request;
  request.customer_id = CustomerId(in.text("customerId", kIdRule));
  request.currency = in.text("currency", kCurrencyCodeRule);
  request.payment_token = in.text("paymentToken", kPaymentTokenRule);
  if (in.ok() && detail::looks_like_card_number(request.payment_token)) {
    request.payment_token.clear();
    // The number is not repeated in the message: problem bodies end up in logs.
    in.fail("paymentToken",
            "paymentToken looks like a card number; orderflow never accepts raw card numbers, so tokenize the card "
            "with the payment provider first and send the token it returns");
  }
  request.shipping_address =
      read_address(in.object("shippingAddress", {"name", "line1", "line2", "city", "region", "postalCode", "country"},
                             UnknownFields::kReject));
  ArrayReader lines = in.array("lines", 1, kOrderLinesMax);
  request.lines.reserve(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    ObjectReader line_in = lines.object(i, {"productId", "quantity", "price"}, UnknownFields::kReject);
    CreateOrderLine line;
    line.product_id = Sku(line_in.text("productId", kIdRule));
    line.quantity = line_in.integer("quantity", 1, kQuantityMax);
    line.price = line_in.optional_integer("price", 0, core::kAmountMinorMax);
    request.lines.push_back(std::move(line));
  }
  request.source = in.optional_text("source", kIdRule).value_or("api");
  return finish(status, std::move(request));
}

Result<ProductUpdate> decode_product_update(std::string_view body) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(body, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "the product", {"name", "price", "currency", "taxClass"}, UnknownFields::kReject);
  ProductUpdate update;
  update.name = in.text("name", kRequiredTextRule);
  update.price_minor = in.integer("price", 0, core::kAmountMinorMax);
  update.currency = in.text("currency", kCurrencyCodeRule);
  update.tax_class = in.optional_text("taxClass", kIdRule).value_or("standard");
  return finish(status, std::move(update));
}

Result<InventoryUpdate> decode_inventory_update(std::string_view body) {
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(body, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "the stock update", {"onHand", "lowStockThreshold"}, UnknownFields::kReject);
  InventoryUpdate update;
  update.on_hand = in.integer("onHand", 0, kOnHandMax);
  update.low_stock_threshold = in.optional_integer("lowStockThreshold", 0, kLowStockThresholdMax);
  return finish(status, update);
}

Result<std::string> decode_cancel_request(std::string_view body) {
  if (is_blank(body)) return std::string();
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(body, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "the cancellation", {"reason"}, UnknownFields::kReject);
  std::string reason = in.optional_text("reason", kOptionalTextRule).value_or("");
  return finish(status, std::move(reason));
}

Result<RefundRequestBody> decode_refund_request(std::string_view body) {
  RefundRequestBody request;
  if (is_blank(body)) return request;
  OF_ASSIGN_OR_RETURN(json::value root, detail::parse_json(body, kWhat));
  Status status;
  ObjectReader in(&status, &root, "", "the refund", {"amount", "reason"}, UnknownFields::kReject);
  request.amount = in.optional_integer("amount", 1, core::kAmountMinorMax);
  request.reason = in.optional_text("reason", kOptionalTextRule).value_or("");
  return finish(status, std::move(request));
}

std::string encode_refund_accepted(const std::string& order_id, const std::string& refund_id, int64_t amount,
                                   const std::string& currency, int64_t captured, int64_t refunded_before) {
  return json::serialize(json::object{{"orderId", order_id},
                                      {"refundId", refund_id},
                                      {"amount", amount},
                                      {"currency", currency},
                                      {"status", "PENDING"},
                                      {"capturedAmount", captured},
                                      {"refundedBefore", refunded_before}});
}

std::string encode_order(const core::Order& order, const std::vector<core::StatusChange>& history) {
  json::object out = order_json(order);
  json::array changes;
  changes.reserve(history.size());
  for (const core::StatusChange& change : history) changes.push_back(status_change_json(change));
  out["history"] = std::move(changes);
  return json::serialize(out);
}

std::string encode_order_list(const std::vector<core::Order>& orders, const std::optional<std::string>& next_cursor) {
  json::array items;
  items.reserve(orders.size());
  for (const core::Order& order : orders) items.push_back(order_json(order));
  return json::serialize(json::object{{"orders", std::move(items)}, {"nextCursor", string_or_null(next_cursor)}});
}

std::string encode_product(const core::Product& product) { return json::serialize(product_json(product)); }

std::string encode_product_list(const std::vector<core::Product>& products,
                                const std::optional<std::string>& next_cursor) {
  json::array items;
  items.reserve(products.size());
  for (const core::Product& product : products) items.push_back(product_json(product));
  return json::serialize(json::object{{"products", std::move(items)}, {"nextCursor", string_or_null(next_cursor)}});
}

namespace {
json::object stock_json(const core::StockLevel& stock, int64_t default_low_stock_threshold) {
  const int64_t threshold = stock.effective_low_stock_threshold(default_low_stock_threshold);
  return json::object{
      {"productId", stock.product_id.str()},
      {"onHand", stock.on_hand},
      {"reserved", stock.reserved},
      {"available", stock.available()},
      {"sold", stock.sold},
      {"lowStockThreshold", threshold},
      {"lowStock", stock.available() < threshold},
      {"updatedAt", format_iso8601(stock.updated_at_ms)},
  };
}
}  // namespace

std::string encode_stock(const core::StockLevel& stock, int64_t default_low_stock_threshold) {
  return json::serialize(stock_json(stock, default_low_stock_threshold));
}

std::string encode_stock_list(const std::vector<core::StockLevel>& levels, int64_t default_low_stock_threshold,
                              const std::optional<std::string>& next_cursor) {
  json::array items;
  items.reserve(levels.size());
  for (const core::StockLevel& stock : levels) items.push_back(stock_json(stock, default_low_stock_threshold));
  return json::serialize(json::object{{"inventory", std::move(items)}, {"nextCursor", string_or_null(next_cursor)}});
}

std::string encode_dead_letter(const core::DeadLetter& dead_letter) {
  return json::serialize(dead_letter_json(dead_letter));
}

std::string encode_dead_letter_list(const std::vector<core::DeadLetter>& dead_letters,
                                    const std::optional<std::string>& next_cursor) {
  json::array items;
  items.reserve(dead_letters.size());
  for (const core::DeadLetter& dead_letter : dead_letters) items.push_back(dead_letter_json(dead_letter));
  return json::serialize(json::object{{"deadLetters", std::move(items)}, {"nextCursor", string_or_null(next_cursor)}});
}

std::string encode_status_change(const OrderId& order_id, const core::StatusChange& change) {
  json::object out;
  out["orderId"] = order_id.str();
  for (auto& member : status_change_json(change)) out[member.key()] = std::move(member.value());
  return json::serialize(out);
}

std::string encode_problem(std::string_view type, std::string_view title, int status, std::string_view detail,
                           std::string_view field, std::string_view extensions_json) {
  json::object out;
  out["type"] = std::string(kProblemTypeBase) + std::string(type);
  out["title"] = title;
  out["status"] = status;
  out["detail"] = detail;
  if (!field.empty()) out["field"] = field;
  if (!extensions_json.empty()) {
    Result<json::value> extensions = detail::parse_json(extensions_json, "problem extensions");
    // Extensions are built by orderflow's own code, never taken from a request.
    OF_ASSERT_MSG(extensions.is_ok() && extensions->is_object(), "problem extensions must be a JSON object");
    for (const auto& member : extensions->get_object()) {
      // The standard members win, so an extension cannot change the status or
      // type a client reads.
      if (out.contains(member.key()) || member.key() == "instance") continue;
      out[member.key()] = member.value();
    }
  }
  return json::serialize(out);
}

}  // namespace of::codec
