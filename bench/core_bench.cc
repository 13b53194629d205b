// The pure core: pricing an order and asking the state machine.
#include <benchmark/benchmark.h>

#include <vector>

#include "core/order_status.h"
#include "core/pricing.h"

namespace of {
namespace {

void BM_PriceOrder(benchmark::State& state) {
  const auto lines = static_cast<int>(state.range(0));
  std::vector<core::Product> products(static_cast<size_t>(lines));
  std::vector<core::PricingInput> inputs;
  for (int i = 0; i < lines; ++i) {
    core::Product& product = products[static_cast<size_t>(i)];
    product.id = Sku("sku-" + std::to_string(i));
    product.name = "Product";
    product.price_minor = 1299 + i;
    product.currency = *core::Currency::parse("USD");
    product.tax_class = i % 2 == 0 ? "standard" : "food";
    inputs.push_back({&product, 2});
  }
  core::TaxTable taxes({{"US", "CA", "", 725}, {"US", "CA", "food", 0}, {"US", "", "", 500}, {"DE", "", "", 1900}});
  core::ShippingTable shipping({{"US", 500, 5000}, {"*", 1500, 0}});
  core::Address destination{"Ada", "1 Main St", "", "Los Angeles", "CA", "90001", "US"};
  for (auto _ : state) {
    auto priced = core::price_order(inputs, destination, taxes, shipping);
    benchmark::DoNotOptimize(priced);
  }
}
BENCHMARK(BM_PriceOrder)->Arg(1)->Arg(5)->Arg(100);

void BM_CheckTransition(benchmark::State& state) {
  // Every pair, legal and illegal, in turn.
  std::vector<std::pair<core::OrderStatus, core::OrderStatus>> pairs;
  for (auto from : core::kAllOrderStatuses) {
    for (auto to : core::kAllOrderStatuses) pairs.emplace_back(from, to);
  }
  size_t i = 0;
  for (auto _ : state) {
    const auto& [from, to] = pairs[i++ % pairs.size()];
    benchmark::DoNotOptimize(core::check_transition(from, to));
  }
}
BENCHMARK(BM_CheckTransition);

void BM_CheckTransitionLegal(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::check_transition(core::OrderStatus::kPaid, core::OrderStatus::kShipped));
  }
}
BENCHMARK(BM_CheckTransitionLegal);

}  // namespace
}  // namespace of
