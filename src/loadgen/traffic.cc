#include "loadgen/traffic.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/assert.h"

namespace of::loadgen {
namespace {

Status check_share(double value, const char* name) {
  if (!(value >= 0.0 && value <= 1.0)) return Status::invalid(std::string(name) + " must be between 0 and 1", name);
  return Status::ok();
}

constexpr const char* kAddress =
    R"("shippingAddress":{"name":"Bench Customer","line1":"1 Load Street","city":"Los Angeles","region":"CA",)"
    R"("postalCode":"90001","country":"US"})";

}  // namespace

Status validate(const TrafficMix& mix) {
  if (mix.products < 1 || mix.products > kProductsMax) {
    return Status::invalid("products must be in 1.." + std::to_string(kProductsMax), "products");
  }
  if (!(mix.zipf_exponent >= 0 && mix.zipf_exponent <= ZipfSampler::kExponentMax)) {
    return Status::invalid("zipf exponent must be in 0..10", "zipf");
  }
  if (mix.lines_min < 1 || mix.lines_max < mix.lines_min || mix.lines_max > kLinesMax) {
    return Status::invalid("lines must satisfy 1 <= min <= max <= 100", "lines");
  }
  if (mix.quantity_max < 1 || mix.quantity_max > 1000) return Status::invalid("quantity max must be in 1..1000", "quantity");
  if (mix.customers < 1 || mix.customers > 100'000'000) return Status::invalid("customers must be in 1..10^8", "customers");
  OF_RETURN_IF_ERROR(check_share(mix.invalid_share, "invalid-share"));
  OF_RETURN_IF_ERROR(check_share(mix.decline_share, "decline-share"));
  OF_RETURN_IF_ERROR(check_share(mix.cancel_share, "cancel-share"));
  if (mix.invalid_share + mix.decline_share + mix.cancel_share > 1.0 + 1e-9) {
    return Status::invalid("invalid, decline and cancel shares must sum to at most 1", "shares");
  }
  return Status::ok();
}

std::string bench_product_id(int64_t rank) {
  char text[32];
  std::snprintf(text, sizeof text, "bench-p-%06lld", static_cast<long long>(rank));
  return text;
}

int64_t bench_product_price_minor(int64_t rank) { return 199 + (rank * 7919) % 9800; }

OrderGenerator::OrderGenerator(const TrafficMix& mix, uint64_t seed)
    : mix_(mix), products_(mix.products, mix.zipf_exponent, seed ^ 0x9e3779b97f4a7c15ull), engine_(seed) {
  OF_ASSERT(validate(mix).is_ok());
}

PlannedOrder OrderGenerator::next() {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double draw = unit(engine_);
  PlannedOrder order;
  if (draw < mix_.invalid_share) {
    order.kind = OrderKind::kInvalid;
    order.body = invalid_body();
  } else if (draw < mix_.invalid_share + mix_.decline_share) {
    order.kind = OrderKind::kDeclined;
    order.body = valid_body("tok_decline");
  } else {
    order.cancel = draw < mix_.invalid_share + mix_.decline_share + mix_.cancel_share;
    order.body = valid_body("tok_visa");
  }
  return order;
}

std::string OrderGenerator::valid_body(const std::string& token) {
  const int64_t lines_wanted = std::uniform_int_distribution<int64_t>(mix_.lines_min, mix_.lines_max)(engine_);
  const int64_t lines = std::min<int64_t>(lines_wanted, mix_.products);
  std::vector<int64_t> ranks;
  // Distinct products: redraw a repeat, and after a bounded number of tries
  // take the next rank not yet used (a tiny catalog with a steep law).
  for (int attempt = 0; static_cast<int64_t>(ranks.size()) < lines; ++attempt) {
    int64_t rank = products_.next();
    if (attempt > 64) {
      rank = 0;
      while (std::find(ranks.begin(), ranks.end(), rank) != ranks.end()) ++rank;
    }
    if (std::find(ranks.begin(), ranks.end(), rank) == ranks.end()) ranks.push_back(rank);
  }
  std::uniform_int_distribution<int> quantity(1, mix_.quantity_max);
  std::string body = R"({"customerId":"bench-c-)" +
                     std::to_string(std::uniform_int_distribution<int64_t>(0, mix_.customers - 1)(engine_)) +
                     R"(","currency":"USD","paymentToken":")" + token + "\"," + kAddress + R"(,"lines":[)";
  for (size_t i = 0; i < ranks.size(); ++i) {
    if (i > 0) body += ',';
    body += R"({"productId":")" + bench_product_id(ranks[i]) + R"(","quantity":)" + std::to_string(quantity(engine_)) + "}";
  }
  body += R"(],"source":"bench"})";
  return body;
}

std::string OrderGenerator::invalid_body() {
  // Each kind in turn, so every run exercises all of them.
  switch (invalid_count_++ % 6) {
    case 0:  // quantity out of range
      return R"({"customerId":"bench-c-1","currency":"USD","paymentToken":"tok_visa",)" + std::string(kAddress) +
             R"(,"lines":[{"productId":"bench-p-000000","quantity":0}]})";
    case 1:  // a product that is not in the catalog
      return R"({"customerId":"bench-c-1","currency":"USD","paymentToken":"tok_visa",)" + std::string(kAddress) +
             R"(,"lines":[{"productId":"bench-no-such-product","quantity":1}]})";
    case 2:  // a raw card number instead of a token
      return R"({"customerId":"bench-c-1","currency":"USD","paymentToken":"4242424242424242",)" +
             std::string(kAddress) + R"(,"lines":[{"productId":"bench-p-000000","quantity":1}]})";
    case 3:  // no lines
      return R"({"customerId":"bench-c-1","currency":"USD","paymentToken":"tok_visa",)" + std::string(kAddress) +
             R"(,"lines":[]})";
    case 4:  // no shipping address
      return R"({"customerId":"bench-c-1","currency":"USD","paymentToken":"tok_visa","lines":[{"productId":"bench-p-000000","quantity":1}]})";
    default:  // not JSON at all
      return R"({"customerId":"bench-c-1","lines":[)";
  }
}

}  // namespace of::loadgen
