#include "loadgen/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace of::loadgen {
namespace {

TEST(LatencyHistogramTest, EmptyReportsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.count(), 0);
  EXPECT_EQ(histogram.percentile(0.5), 0);
  EXPECT_EQ(histogram.max(), 0);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.mean(), 0.0);
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyHistogram histogram;
  for (int64_t v = 0; v < 2 * LatencyHistogram::kSubBuckets; ++v) histogram.record(v);
  EXPECT_EQ(histogram.percentile(0.5), 127);
  EXPECT_EQ(histogram.percentile(1.0), 255);
  EXPECT_EQ(histogram.min(), 0);
}

TEST(LatencyHistogramTest, BucketsAreContiguousAndBounded) {
  for (int i = 0; i + 1 < LatencyHistogram::kBucketCount; ++i) {
    ASSERT_EQ(LatencyHistogram::bucket_highest(i) + 1, LatencyHistogram::bucket_lowest(i + 1)) << i;
    const int64_t low = LatencyHistogram::bucket_lowest(i);
    const int64_t width = LatencyHistogram::bucket_highest(i) - low + 1;
    if (low > 0) {
      ASSERT_LE(static_cast<double>(width - 1) / static_cast<double>(low), 1.0 / 128) << i;
    }
    ASSERT_EQ(LatencyHistogram::bucket_index(low), i);
    ASSERT_EQ(LatencyHistogram::bucket_index(LatencyHistogram::bucket_highest(i)), i);
  }
  EXPECT_EQ(LatencyHistogram::bucket_index(LatencyHistogram::kValueMax), LatencyHistogram::kBucketCount - 1);
}

TEST(LatencyHistogramTest, PercentilesWithinRelativeErrorOfExact) {
  std::mt19937_64 random(42);
  std::lognormal_distribution<double> distribution(8.0, 1.5);  // a latency-like long tail, in us
  std::vector<int64_t> values;
  LatencyHistogram histogram;
  for (int i = 0; i < 100'000; ++i) {
    auto value = static_cast<int64_t>(distribution(random));
    values.push_back(value);
    histogram.record(value);
  }
  std::sort(values.begin(), values.end());
  for (double fraction : {0.5, 0.9, 0.95, 0.99, 0.999}) {
    auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(values.size()))) - 1;
    const double exact = static_cast<double>(values[rank]);
    const double reported = static_cast<double>(histogram.percentile(fraction));
    EXPECT_GE(reported, exact) << fraction;
    EXPECT_LE(reported, exact * (1.0 + 1.0 / 128) + 1) << fraction;
  }
  EXPECT_EQ(histogram.percentile(1.0), values.back());
  EXPECT_EQ(histogram.max(), values.back());
  EXPECT_EQ(histogram.min(), values.front());
  EXPECT_EQ(histogram.count(), 100'000);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  LatencyHistogram a, b, both;
  for (int64_t v = 1; v < 50'000; v += 7) {
    a.record(v);
    both.record(v);
  }
  for (int64_t v = 3; v < 5'000'000; v += 997) {
    b.record(v);
    both.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), both.count());
  EXPECT_EQ(a.max(), both.max());
  EXPECT_EQ(a.min(), both.min());
  EXPECT_DOUBLE_EQ(a.mean(), both.mean());
  for (double fraction : {0.0, 0.25, 0.5, 0.95, 0.99, 0.999, 1.0}) {
    EXPECT_EQ(a.percentile(fraction), both.percentile(fraction)) << fraction;
  }
}

TEST(LatencyHistogramTest, ClampsOutOfRangeValues) {
  LatencyHistogram histogram;
  histogram.record(-5);
  histogram.record(LatencyHistogram::kValueMax + 10);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.max(), LatencyHistogram::kValueMax);
  EXPECT_EQ(histogram.clamped(), 1);
  EXPECT_EQ(histogram.count(), 2);
}

TEST(LatencyHistogramTest, ResetEmpties) {
  LatencyHistogram histogram;
  histogram.record(1000, 5);
  histogram.reset();
  EXPECT_EQ(histogram.count(), 0);
  EXPECT_EQ(histogram.percentile(0.99), 0);
}

}  // namespace
}  // namespace of::loadgen
