// The JSON bodies of orderflow's HTTP API: what clients send (strictly
// decoded) and what the server answers.
//
// Decoders refuse malformed JSON, wrong types, unknown fields, missing required
// fields and out-of-range values with kInvalidArgument whose field() is a JSON
// pointer ("/lines/3/quantity") and whose message a person can act on. Fields a
// client may not set (id, status, totals) are unknown fields, hence refused.
// Nesting deeper than kJsonDepthMax and bodies longer than the server's limit
// never reach a decoder's allocations unbounded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "core/model.h"

namespace of::codec {

inline constexpr int kJsonDepthMax = 32;
inline constexpr int kOrderLinesMax = 100;
inline constexpr int64_t kQuantityMax = 1000;
inline constexpr size_t kIdLengthMax = 128;        // customer ids, SKUs, tokens
inline constexpr size_t kTextLengthMax = 200;      // names, address fields
inline constexpr int64_t kOnHandMax = 1'000'000'000;  // units of one product in stock
inline constexpr int64_t kLowStockThresholdMax = 1'000'000'000;

struct CreateOrderLine {
  Sku product_id;
  int64_t quantity = 0;
  std::optional<int64_t> price;  // what the client expects to pay per unit, minor units
};

struct CreateOrderRequest {
  CustomerId customer_id;
  std::vector<CreateOrderLine> lines;  // 1..kOrderLinesMax
  std::string currency;                // upper-case ISO 4217 code; checked against the catalog later
  core::Address shipping_address;      // name, line1, city, postalCode, country required
  std::string payment_token;           // required; a raw card number is refused
  std::string source = "api";          // optional metadata.source
};

// {"customerId":"c-1","currency":"USD","paymentToken":"tok_visa",
//  "shippingAddress":{"name":..,"line1":..,"line2":..,"city":..,"region":..,"postalCode":..,"country":"US"},
//  "lines":[{"productId":"sku-1","quantity":2,"price":1999}], "source":"storefront"}
Result<CreateOrderRequest> decode_create_order(std::string_view body);

struct ProductUpdate {
  std::string name;
  int64_t price_minor = 0;
  std::string currency;
  std::string tax_class = "standard";
};
// {"name":"Mug","price":1299,"currency":"USD","taxClass":"standard"}; taxClass optional.
Result<ProductUpdate> decode_product_update(std::string_view body);

// {"onHand": 25, "lowStockThreshold": 5}; 0 <= onHand <= kOnHandMax (10^9);
// lowStockThreshold optional (absent: unchanged), 0..kLowStockThresholdMax.
struct InventoryUpdate {
  int64_t on_hand = 0;
  std::optional<int64_t> low_stock_threshold;
};
Result<InventoryUpdate> decode_inventory_update(std::string_view body);

// {"reason": "..."} or an empty body; reason optional, at most kTextLengthMax.
Result<std::string> decode_cancel_request(std::string_view body);

// POST /v1/orders/{id}/refunds: {"amount": minor units, optional (everything
// left), "reason": optional text}.
struct RefundRequestBody {
  std::optional<int64_t> amount;
  std::string reason;
};
Result<RefundRequestBody> decode_refund_request(std::string_view body);
// {"orderId","refundId","amount","currency","status":"PENDING","capturedAmount","refundedBefore"}
std::string encode_refund_accepted(const std::string& order_id, const std::string& refund_id, int64_t amount,
                                   const std::string& currency, int64_t captured, int64_t refunded_before);

// Responses.
std::string encode_order(const core::Order& order, const std::vector<core::StatusChange>& history);
// {"orders":[...], "nextCursor": "<id>" | null}; orders without history.
std::string encode_order_list(const std::vector<core::Order>& orders, const std::optional<std::string>& next_cursor);
std::string encode_product(const core::Product& product);
std::string encode_product_list(const std::vector<core::Product>& products, const std::optional<std::string>& next_cursor);
// {"productId","onHand","reserved","available","sold","lowStockThreshold","lowStock","updatedAt"}:
// lowStockThreshold is the effective one (the product's, else the default),
// lowStock whether available is below it.
std::string encode_stock(const core::StockLevel& stock, int64_t default_low_stock_threshold);
// {"inventory":[...], "nextCursor": "<productId>" | null}
std::string encode_stock_list(const std::vector<core::StockLevel>& levels, int64_t default_low_stock_threshold,
                              const std::optional<std::string>& next_cursor);
std::string encode_dead_letter(const core::DeadLetter& dead_letter);
std::string encode_dead_letter_list(const std::vector<core::DeadLetter>& dead_letters,
                                    const std::optional<std::string>& next_cursor);
// The SSE `data` for one status change: {"orderId","status","from","reason","at","seq"}.
std::string encode_status_change(const OrderId& order_id, const core::StatusChange& change);

// RFC 9457 problem details. `type` is a short slug ("out-of-stock"), expanded to
// "https://orderflow.dev/problems/<slug>"; `extensions_json`, when not empty, is
// a JSON object whose members are added to the body (e.g. current prices).
std::string encode_problem(std::string_view type, std::string_view title, int status, std::string_view detail,
                           std::string_view field = {}, std::string_view extensions_json = {});

}  // namespace of::codec
