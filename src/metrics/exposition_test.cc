// The text format, line by line: HELP/TYPE, escaping, cumulative buckets, +Inf.
#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "metrics/registry.h"

namespace of::metrics {
namespace {

TEST(MetricsExpositionTest, EscapesBackslashQuoteAndNewlineInLabelValues) {
  EXPECT_EQ(escape_label_value(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(escape_label_value(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(escape_label_value("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(escape_label_value("plain /v1/orders/{id}"), "plain /v1/orders/{id}");

  ExpositionWriter writer;
  writer.begin("x_total", "help", MetricType::kCounter);
  const Label labels[] = {{"path", "C:\\tmp\n\"q\""}};
  writer.sample("x_total", labels, uint64_t{3});
  EXPECT_EQ(writer.text(), "# HELP x_total help\n# TYPE x_total counter\nx_total{path=\"C:\\\\tmp\\n\\\"q\\\"\"} 3\n");
}

TEST(MetricsExpositionTest, EscapesHelpTextButNotQuotes) {
  EXPECT_EQ(escape_help("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
  ExpositionWriter writer;
  writer.begin("g", "line one\nline two", MetricType::kGauge);
  EXPECT_EQ(writer.text(), "# HELP g line one\\nline two\n# TYPE g gauge\n");
}

TEST(MetricsExpositionTest, FormatsValuesAsPrometheusParsesThem) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(0.5), "0.5");
  EXPECT_EQ(format_value(0.0005), "0.0005");
  EXPECT_EQ(format_value(1.5e6), "1500000");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::nan("")), "NaN");
  EXPECT_DOUBLE_EQ(std::stod(format_value(0.1 + 0.2)), 0.1 + 0.2);  // round-trips exactly
}

TEST(MetricsExpositionTest, HistogramBucketsAreCumulativeAndEndWithInfEqualToCount) {
  const std::vector<double> bounds = {0.1, 0.5, 1};
  const std::vector<uint64_t> counts = {2, 0, 3, 4};  // per bucket; the last is above 1
  ExpositionWriter writer;
  writer.begin("d_seconds", "h", MetricType::kHistogram);
  const Label labels[] = {{"route", "/r"}};
  writer.histogram("d_seconds", labels, bounds, counts, 12.25);
  EXPECT_EQ(writer.text(),
            "# HELP d_seconds h\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{route=\"/r\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{route=\"/r\",le=\"0.5\"} 2\n"
            "d_seconds_bucket{route=\"/r\",le=\"1\"} 5\n"
            "d_seconds_bucket{route=\"/r\",le=\"+Inf\"} 9\n"
            "d_seconds_sum{route=\"/r\"} 12.25\n"
            "d_seconds_count{route=\"/r\"} 9\n");
}

TEST(MetricsExpositionTest, HistogramWithoutLabelsPutsOnlyLeInBraces) {
  const std::vector<double> bounds = {1};
  const std::vector<uint64_t> counts = {0, 0};
  ExpositionWriter writer;
  writer.histogram("h", {}, bounds, counts, 0);
  EXPECT_EQ(writer.text(), "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST(MetricsExpositionTest, ChecksNames) {
  EXPECT_TRUE(valid_metric_name("orderflow_http_requests_total"));
  EXPECT_TRUE(valid_metric_name("a:b_c1"));
  EXPECT_FALSE(valid_metric_name("1abc"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_TRUE(valid_label_name("route"));
  EXPECT_FALSE(valid_label_name("__name__"));
  EXPECT_FALSE(valid_label_name("a:b"));
  EXPECT_FALSE(valid_label_name("9"));
}

TEST(MetricsExpositionTest, RegistryExposesFamiliesThenCollectors) {
  Registry registry;
  auto& requests = registry.counter("t_requests_total", "Requests.", {"route", "code"});
  requests.with({"/v1/orders/{id}", "200"}).inc();
  requests.with({"/v1/orders/{id}", "200"}).inc(2);
  requests.with({"/v1/orders", "201"}).inc();
  registry.gauge("t_open", "Open.").with({}).set(7);
  registry.add_collector([](ExpositionWriter& writer) {
    writer.begin("t_collected", "From a collector.", MetricType::kGauge);
    writer.sample("t_collected", {}, 1.5);
  });
  EXPECT_EQ(registry.expose(),
            "# HELP t_requests_total Requests.\n# TYPE t_requests_total counter\n"
            "t_requests_total{route=\"/v1/orders/{id}\",code=\"200\"} 3\n"
            "t_requests_total{route=\"/v1/orders\",code=\"201\"} 1\n"
            "# HELP t_open Open.\n# TYPE t_open gauge\nt_open 7\n"
            "# HELP t_collected From a collector.\n# TYPE t_collected gauge\nt_collected 1.5\n");
}

}  // namespace
}  // namespace of::metrics
