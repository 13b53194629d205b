// LatencyHistogram: a log-linear histogram of non-negative integer values
// (microseconds in the load generator), in the manner of HdrHistogram.
//
// Values below 2 * kSubBuckets are counted exactly; above, each power of two
// is split into kSubBuckets linear buckets, so a bucket's width is at most
// 1/kSubBuckets of its lower bound: any percentile is reported within a
// relative error of 1/kSubBuckets (0.78 %), whatever the range. Fixed memory
// (kBucketCount counters, 35 KiB), O(1) record, mergeable by adding counts.
// Values above kValueMax are clamped to it (and counted in clamped()).
// Not thread-safe: one writer, or a lock around it.
#pragma once

#include <cstdint>
#include <vector>

namespace of::loadgen {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 7;
  static constexpr int64_t kSubBuckets = int64_t{1} << kSubBucketBits;  // 128
  static constexpr int kMagnitudeMax = 40;                              // 2^40 us: 12.7 days
  static constexpr int64_t kValueMax = (int64_t{1} << kMagnitudeMax) - 1;
  static constexpr int kBucketCount = static_cast<int>(2 * kSubBuckets + (kMagnitudeMax - kSubBucketBits - 1) * kSubBuckets);

  LatencyHistogram();

  // Negative values count as 0; values above kValueMax as kValueMax.
  void record(int64_t value, int64_t count = 1);
  void merge(const LatencyHistogram& other);
  void reset();

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_); }
  int64_t clamped() const { return clamped_; }

  // The value at or below which `fraction` (0..1) of the recorded values lie:
  // the highest value of the bucket holding that rank, never above max().
  // 0 when empty. percentile(1.0) == max().
  int64_t percentile(double fraction) const;

  // Bucket arithmetic, exposed for tests.
  static int bucket_index(int64_t value);
  static int64_t bucket_lowest(int index);
  static int64_t bucket_highest(int index);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t sum_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  int64_t clamped_ = 0;
};

}  // namespace of::loadgen
