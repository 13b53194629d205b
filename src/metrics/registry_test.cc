// Registry semantics: series identity, bucket placement, concurrency, limits.
#include "metrics/registry.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "metrics/api_metrics.h"
#include "metrics/process_collector.h"

namespace of::metrics {
namespace {

TEST(MetricsRegistryTest, SameLabelValuesGiveTheSameSeries) {
  Registry registry;
  auto& family = registry.counter("c_total", "c", {"a", "b"});
  Counter& one = family.with({"x", "y"});
  EXPECT_EQ(&one, &family.with({"x", "y"}));
  EXPECT_NE(&one, &family.with({"xy", ""}));
  EXPECT_NE(&one, &family.with({"y", "x"}));
  // Asking for the family again returns it.
  EXPECT_EQ(&family, &registry.counter("c_total", "c", {"a", "b"}));
}

TEST(MetricsRegistryTest, HistogramBucketsAreUpperInclusive) {
  const std::vector<double> bounds = {0.001, 0.01, 0.1};
  Histogram histogram(bounds);
  histogram.observe(0.0005);
  histogram.observe(0.001);  // on the bound: in that bucket
  histogram.observe(0.005);
  histogram.observe(0.1);
  histogram.observe(5);  // above all: +Inf only
  std::vector<uint64_t> counts;
  double sum = 0;
  histogram.snapshot(counts, sum);
  EXPECT_EQ(counts, (std::vector<uint64_t>{2, 1, 1, 1}));
  EXPECT_DOUBLE_EQ(sum, 0.0005 + 0.001 + 0.005 + 0.1 + 5);
}

TEST(MetricsRegistryTest, LatencyBucketsSpanHalfAMillisecondToThirtySeconds) {
  const auto bounds = latency_buckets_seconds();
  EXPECT_DOUBLE_EQ(bounds.front(), 0.0005);
  EXPECT_DOUBLE_EQ(bounds.back(), 30);
  EXPECT_NE(std::find(bounds.begin(), bounds.end(), 0.5), bounds.end());  // the confirmation alert's bar
  for (size_t i = 1; i < bounds.size(); ++i) {
    EXPECT_GT(bounds[i] / bounds[i - 1], 1.9);
    EXPECT_LT(bounds[i] / bounds[i - 1], 3.1);
  }
}

TEST(MetricsRegistryTest, ConcurrentUpdatesAreAllCounted) {
  Registry registry;
  auto& counters = registry.counter("n_total", "n", {"thread_group"});
  auto& histograms = registry.histogram("l_seconds", "l", {}, latency_buckets_seconds());
  constexpr int kThreads = 4, kPerThread = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        counters.with({t % 2 == 0 ? "even" : "odd"}).inc();
        histograms.with({}).observe(0.002);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(counters.with({"even"}).value() + counters.with({"odd"}).value(), uint64_t{kThreads * kPerThread});
  std::vector<uint64_t> counts;
  double sum = 0;
  histograms.with({}).snapshot(counts, sum);
  uint64_t total = 0;
  for (uint64_t count : counts) total += count;
  EXPECT_EQ(total, uint64_t{kThreads * kPerThread});
  EXPECT_NEAR(sum, 0.002 * kThreads * kPerThread, 1e-6);
}

TEST(MetricsRegistryTest, SeriesBeyondTheLimitAreNotExported) {
  Registry registry;
  auto& family = registry.counter("many_total", "m", {"k"});
  for (size_t i = 0; i < kSeriesPerFamilyMax + 50; ++i) family.with({std::to_string(i)}).inc();
  const std::string text = registry.expose();
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, kSeriesPerFamilyMax + 2);  // HELP, TYPE, and the first kSeriesPerFamilyMax series
  EXPECT_EQ(text.find("k=\"" + std::to_string(kSeriesPerFamilyMax) + "\""), std::string::npos);
}

TEST(MetricsApiMetricsTest, LabelsAreRouteTemplatesNormalizedMethodsAndCodes) {
  Registry registry;
  ApiMetrics api(registry);
  api.record_request("/v1/orders/{id}", "GET", 404, 0.002);
  api.record_request("/v1/orders/{id}", "BREW", 405, 0.001);
  api.record_request("/v1/orders", "POST", 201, 0.02);
  api.record_order_created(0.02);
  const std::string text = registry.expose();
  EXPECT_NE(text.find("orderflow_http_requests_total{route=\"/v1/orders/{id}\",method=\"GET\",code=\"404\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("orderflow_http_requests_total{route=\"/v1/orders/{id}\",method=\"other\",code=\"405\"} 1\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "orderflow_http_request_duration_seconds_bucket{route=\"/v1/orders\",method=\"POST\",le=\"0.025\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("orderflow_orders_created_total 1\n"), std::string::npos);
  EXPECT_NE(text.find("orderflow_order_confirmation_seconds_count 1\n"), std::string::npos);
  EXPECT_EQ(normalize_method("DELETE"), "DELETE");
  EXPECT_EQ(normalize_method("get"), "other");
}

TEST(MetricsProcessTest, ReadsThisProcessFromProc) {
  const ProcessFigures figures = read_process_figures();
  ASSERT_TRUE(figures.cpu_seconds && figures.resident_memory_bytes && figures.open_fds && figures.start_time_seconds);
  EXPECT_GE(*figures.cpu_seconds, 0);
  EXPECT_GT(*figures.resident_memory_bytes, 1024 * 1024);
  EXPECT_GE(*figures.open_fds, 3);  // stdin, stdout, stderr
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(*figures.start_time_seconds, now + 1);
  EXPECT_GT(*figures.start_time_seconds, now - 24 * 3600);  // started within a day: a unit test, surely

  Registry registry;
  add_process_collector(registry);
  const std::string text = registry.expose();
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(text.find("\nprocess_start_time_seconds "), std::string::npos);
}

}  // namespace
}  // namespace of::metrics
