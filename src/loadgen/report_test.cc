#include "loadgen/report.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "loadgen/bench.h"

namespace of::loadgen {
namespace {

BenchReport sample_report() {
  BenchReport report;
  report.label = "synchronous=FULL";
  report.url = "http://127.0.0.1:8080";
  report.seed = 7;
  report.machine.cores = 2;
  report.machine.cpu_model = "Test CPU";
  report.machine.kernel = "Linux 6";
  report.machine.fsyncs_per_s = 1234.5;
  RunResult run;
  run.scenario = *parse_scenario("spike:rate=100:duration=30");
  run.sent = 110;
  run.accepted = 100;
  run.rejected_expected = 7;
  run.errors["http_503"] = 2;
  run.errors["transport"] = 1;
  for (int i = 1; i <= 100; ++i) run.confirmation_us.record(i * 1000);  // 1..100 ms
  run.stages_measured = true;
  run.orders_checked = 100;
  run.final_statuses["DELIVERED"] = 98;
  run.final_statuses["CANCELLED"] = 2;
  run.stage_us[0].record(5'000);
  run.all_finished_s = 31.5;
  run.spike_recovery_s = 2;
  run.server = ServerUsage{42, 1.5, 15'000, 10'240, 20'480};
  TimelinePoint point;
  point.start_s = 0;
  point.sent = 110;
  point.accepted = 100;
  point.confirmation = summarize(run.confirmation_us);
  run.timeline.push_back(point);
  report.runs.push_back(run);
  return report;
}

TEST(ReportTest, SummaryIsInMilliseconds) {
  LatencyHistogram histogram;
  for (int i = 1; i <= 100; ++i) histogram.record(i * 1000);
  LatencySummary s = summarize(histogram);
  EXPECT_EQ(s.count, 100);
  EXPECT_NEAR(s.p50_ms, 50, 0.5);
  EXPECT_NEAR(s.p99_ms, 99, 1);
  EXPECT_DOUBLE_EQ(s.max_ms, 100);
  EXPECT_NEAR(s.mean_ms, 50.5, 0.01);
}

TEST(ReportTest, JsonHoldsTheCountsAndFigures) {
  auto value = boost::json::parse(report_json(sample_report()));
  const auto& root = value.as_object();
  EXPECT_EQ(root.at("label").as_string(), "synchronous=FULL");
  EXPECT_EQ(root.at("machine").at("cores").as_int64(), 2);
  EXPECT_DOUBLE_EQ(root.at("machine").at("fsyncsPerS").as_double(), 1234.5);
  const auto& run = root.at("runs").as_array().at(0).as_object();
  EXPECT_EQ(run.at("scenario").at("name").as_string(), "spike");
  EXPECT_EQ(run.at("scenario").at("spikeFactor").as_double(), 10);
  EXPECT_EQ(run.at("orders").at("sent").as_int64(), 110);
  EXPECT_EQ(run.at("orders").at("accepted").as_int64(), 100);
  EXPECT_EQ(run.at("orders").at("rejectedAsExpected").as_int64(), 7);
  EXPECT_EQ(run.at("orders").at("errors").as_int64(), 3);
  EXPECT_EQ(run.at("errors").at("http_503").as_int64(), 2);
  EXPECT_EQ(run.at("confirmationMs").at("count").as_int64(), 100);
  EXPECT_DOUBLE_EQ(run.at("confirmationMs").at("max").as_double(), 100);
  EXPECT_EQ(run.at("endToEnd").at("finalStatuses").at("DELIVERED").as_int64(), 98);
  EXPECT_DOUBLE_EQ(run.at("endToEnd").at("fromAcceptedMs").at("reserved").at("p50").as_double(), 5);
  EXPECT_DOUBLE_EQ(run.at("endToEnd").at("allFinishedS").as_double(), 31.5);
  EXPECT_TRUE(run.at("endToEnd").at("drainedAfterLoadS").is_null());
  EXPECT_DOUBLE_EQ(run.at("server").at("cpuUsPerOrder").as_double(), 15'000);
  EXPECT_EQ(run.at("timeline").as_array().size(), 1u);
}

TEST(ReportTest, TableAndSvgNameEveryScenario) {
  BenchReport report = sample_report();
  std::string table = format_table(report);
  EXPECT_NE(table.find("synchronous=FULL"), std::string::npos);
  EXPECT_NE(table.find("spike"), std::string::npos);
  EXPECT_NE(table.find("http_503 2"), std::string::npos);
  std::string svg = render_svg(report);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("<polyline"), std::string::npos);
  EXPECT_NE(svg.find("spike:rate=100:duration=30: throughput"), std::string::npos);
}

TEST(ReportTest, SvgEscapesText) {
  BenchReport report = sample_report();
  report.label = "a<b&c";
  EXPECT_NE(render_svg(report).find("a&lt;b&amp;c"), std::string::npos);
}

TEST(BenchUrlTest, ParsesHttpUrls) {
  auto endpoint = parse_http_url("http://127.0.0.1:18080");
  ASSERT_TRUE(endpoint);
  EXPECT_EQ(endpoint->host, "127.0.0.1");
  EXPECT_EQ(endpoint->port, 18080);
  auto plain = parse_http_url("http://localhost/");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, 80);
  EXPECT_FALSE(parse_http_url("https://x:1"));
  EXPECT_FALSE(parse_http_url("http://x:99999"));
  EXPECT_FALSE(parse_http_url("http://x:1/v1"));
  EXPECT_FALSE(parse_http_url("http://:80"));
}

}  // namespace
}  // namespace of::loadgen
