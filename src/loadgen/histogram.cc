#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "base/assert.h"

namespace of::loadgen {

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

int LatencyHistogram::bucket_index(int64_t value) {
  OF_ASSERT(value >= 0 && value <= kValueMax);
  if (value < 2 * kSubBuckets) return static_cast<int>(value);
  const int magnitude = 63 - std::countl_zero(static_cast<uint64_t>(value));  // >= kSubBucketBits + 1
  const int shift = magnitude - kSubBucketBits;
  const int64_t sub = (value >> shift) - kSubBuckets;  // 0..kSubBuckets-1
  return static_cast<int>(2 * kSubBuckets + (shift - 1) * kSubBuckets + sub);
}

int64_t LatencyHistogram::bucket_lowest(int index) {
  OF_ASSERT(index >= 0 && index < kBucketCount);
  if (index < 2 * kSubBuckets) return index;
  const int64_t above = index - 2 * kSubBuckets;
  const int shift = static_cast<int>(above / kSubBuckets) + 1;
  const int64_t sub = above % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

int64_t LatencyHistogram::bucket_highest(int index) {
  if (index + 1 >= kBucketCount) return kValueMax;
  return bucket_lowest(index + 1) - 1;
}

void LatencyHistogram::record(int64_t value, int64_t count) {
  if (count <= 0) return;
  if (value < 0) value = 0;
  if (value > kValueMax) {
    value = kValueMax;
    clamped_ += count;
  }
  counts_[static_cast<size_t>(bucket_index(value))] += count;
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  count_ += count;
  sum_ += value * count;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
  clamped_ += other.clamped_;
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = sum_ = min_ = max_ = clamped_ = 0;
}

int64_t LatencyHistogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  // The rank (1-based) of the value asked for: at least the first.
  int64_t rank = static_cast<int64_t>(std::ceil(fraction * static_cast<double>(count_)));
  rank = std::clamp<int64_t>(rank, 1, count_);
  int64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[static_cast<size_t>(i)];
    if (seen >= rank) return std::min(bucket_highest(i), max_);
  }
  return max_;
}

}  // namespace of::loadgen
