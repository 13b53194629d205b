#include "loadgen/zipf.h"

#include <algorithm>
#include <cmath>

#include "base/assert.h"

namespace of::loadgen {

ZipfSampler::ZipfSampler(int64_t n, double s, uint64_t seed) : engine_(seed) {
  OF_ASSERT(n >= 1 && n <= kRanksMax);
  OF_ASSERT(s >= 0.0 && s <= kExponentMax);
  cdf_.resize(static_cast<size_t>(n));
  double total = 0.0;
  for (int64_t k = 0; k < n; ++k) {
    total += 1.0 / std::pow(static_cast<double>(k + 1), s);
    cdf_[static_cast<size_t>(k)] = total;
  }
  for (double& value : cdf_) value /= total;
  cdf_.back() = 1.0;  // no rounding gap at the top
}

int64_t ZipfSampler::next() {
  const double u = unit_(engine_);
  auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  if (it == cdf_.end()) --it;
  return static_cast<int64_t>(it - cdf_.begin());
}

double ZipfSampler::probability(int64_t k) const {
  OF_ASSERT(k >= 0 && k < size());
  const auto index = static_cast<size_t>(k);
  return index == 0 ? cdf_[0] : cdf_[index] - cdf_[index - 1];
}

}  // namespace of::loadgen
