// ZipfSampler: draws ranks 0..n-1 with P(k) proportional to 1 / (k + 1)^s,
// the popularity law of a product catalog (a few best sellers, a long tail).
//
// Exact: the cumulative distribution is tabulated once (n doubles) and each
// draw is one uniform variate and a binary search. Seeded, so a run repeats.
// Limits: 1 <= n <= kRanksMax, 0 <= s <= kExponentMax (s = 0 is uniform).
// Not thread-safe: one sampler per thread (copies share nothing).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace of::loadgen {

class ZipfSampler {
 public:
  static constexpr int64_t kRanksMax = 10'000'000;
  static constexpr double kExponentMax = 10.0;

  // Asserts the limits above (callers validate user input first).
  ZipfSampler(int64_t n, double s, uint64_t seed);

  int64_t next();
  int64_t size() const { return static_cast<int64_t>(cdf_.size()); }
  // The probability of rank k (for tests and reports).
  double probability(int64_t k) const;

 private:
  std::vector<double> cdf_;
  std::mt19937_64 engine_;
  std::uniform_real_distribution<double> unit_{0.0, 1.0};
};

}  // namespace of::loadgen
