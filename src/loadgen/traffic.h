// The traffic of `orderflow bench`: what each order looks like.
//
// Products are "bench-p-000000" .. by popularity rank, drawn from a Zipf law;
// each order has lines_min..lines_max distinct products of 1..quantity_max
// units, a customer drawn uniformly from `customers`, and a US address. Shares
// of all orders (each 0..1, summing to at most 1) are invalid (malformed in
// one of several ways, expected to be refused with 400), paid with a card the
// gateway simulator declines ("tok_decline"), or cancelled by the client right
// after they are accepted. Seeded: the same seed gives the same orders.
// Not thread-safe: one generator per thread, seeded differently.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"
#include "loadgen/zipf.h"

namespace of::loadgen {

inline constexpr int64_t kProductsMax = 1'000'000;
inline constexpr int kLinesMax = 100;  // the API's bound on lines per order

struct TrafficMix {
  int64_t products = 1000;
  double zipf_exponent = 1.0;
  int lines_min = 1;
  int lines_max = 5;
  int quantity_max = 3;
  int64_t customers = 10'000;
  double invalid_share = 0.0;
  double decline_share = 0.0;
  double cancel_share = 0.0;
};

// kInvalidArgument naming the field when out of bounds.
Status validate(const TrafficMix& mix);

enum class OrderKind { kValid, kInvalid, kDeclined };

struct PlannedOrder {
  OrderKind kind = OrderKind::kValid;
  bool cancel = false;  // POST /v1/orders/{id}/cancel once accepted
  std::string body;
};

// "bench-p-000042" for rank 42.
std::string bench_product_id(int64_t rank);
// The catalog price of a bench product, minor units (deterministic by rank).
int64_t bench_product_price_minor(int64_t rank);

class OrderGenerator {
 public:
  // `mix` must be valid (OF_ASSERT).
  OrderGenerator(const TrafficMix& mix, uint64_t seed);
  PlannedOrder next();

 private:
  std::string valid_body(const std::string& token);
  std::string invalid_body();

  TrafficMix mix_;
  ZipfSampler products_;
  std::mt19937_64 engine_;
  int64_t invalid_count_ = 0;
};

}  // namespace of::loadgen
