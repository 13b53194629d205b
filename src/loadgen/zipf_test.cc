#include "loadgen/zipf.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace of::loadgen {
namespace {

TEST(ZipfSamplerTest, SameSeedSameSequence) {
  ZipfSampler a(1000, 1.0, 7), b(1000, 1.0, 7), c(1000, 1.0, 8);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    int64_t x = a.next();
    ASSERT_EQ(x, b.next());
    if (x != c.next()) differs = true;
  }
  EXPECT_TRUE(differs);
}

TEST(ZipfSamplerTest, DrawsStayInRange) {
  ZipfSampler sampler(10, 1.2, 1);
  for (int i = 0; i < 10'000; ++i) {
    int64_t k = sampler.next();
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 10);
  }
  ZipfSampler single(1, 1.0, 1);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(single.next(), 0);
}

TEST(ZipfSamplerTest, ProbabilitiesFollowThePowerLaw) {
  ZipfSampler sampler(100, 1.0, 3);
  double total = 0.0;
  for (int64_t k = 0; k < 100; ++k) total += sampler.probability(k);
  EXPECT_NEAR(total, 1.0, 1e-9);
  // P(0) / P(k) == (k + 1)^s.
  EXPECT_NEAR(sampler.probability(0) / sampler.probability(1), 2.0, 1e-9);
  EXPECT_NEAR(sampler.probability(0) / sampler.probability(9), 10.0, 1e-9);
}

TEST(ZipfSamplerTest, FrequenciesMatchProbabilities) {
  constexpr int kDraws = 200'000;
  ZipfSampler sampler(50, 1.0, 11);
  std::vector<int> counts(50, 0);
  for (int i = 0; i < kDraws; ++i) ++counts[static_cast<size_t>(sampler.next())];
  for (int64_t k : {0, 1, 4, 20}) {
    const double expected = sampler.probability(k) * kDraws;
    // Five standard deviations of a binomial count: fails by chance far less than once in a million runs,
    // and the seed is fixed anyway.
    const double sigma = std::sqrt(expected * (1.0 - sampler.probability(k)));
    EXPECT_NEAR(counts[static_cast<size_t>(k)], expected, 5 * sigma) << k;
  }
  EXPECT_GT(counts[0], counts[1]);
  EXPECT_GT(counts[1], counts[10]);
}

TEST(ZipfSamplerTest, ExponentZeroIsUniform) {
  ZipfSampler sampler(4, 0.0, 5);
  for (int64_t k = 0; k < 4; ++k) EXPECT_NEAR(sampler.probability(k), 0.25, 1e-12);
}

}  // namespace
}  // namespace of::loadgen
