// GET /metrics through the real binary: the counters move with the orders
// placed, labels are route templates, a dead-lettered charge shows up, and
// Debian's promtool accepts the scrape, the alert rules (with their unit
// tests) and the Grafana dashboard's queries name metrics that exist.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/harness.h"

namespace of::e2e {
namespace {

constexpr const char* kPromtool = "/usr/bin/promtool";

// Series (name with labels, as written) -> value.
std::map<std::string, double> parse_scrape(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const std::string value = line.substr(space + 1);
    samples[line.substr(0, space)] = value == "+Inf" ? INFINITY : std::stod(value);
  }
  return samples;
}

double value_of(const std::map<std::string, double>& samples, const std::string& series) {
  auto found = samples.find(series);
  return found == samples.end() ? -1 : found->second;
}

std::string scrape(net::HttpClient& client) {
  auto response = client.get("/metrics");
  if (!response) {
    ADD_FAILURE() << response.status().to_string();
    return {};
  }
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  return response->body;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(MetricsE2eTest, CountersMoveWithOrdersAndPromtoolAcceptsTheScrape) {
  TempDirectory dir;
  // One charge attempt, so a processing-error token dead-letters its job at once.
  OrderflowProcess server(dir.path(), {"payments.charge_max_attempts=1"});
  ASSERT_TRUE(server.start()) << server.log_tail();
  net::HttpClient client = server.client();
  add_product(client, "mug", 1299, 100);

  constexpr int kOrders = 5;
  std::vector<std::string> ids;
  for (int i = 0; i < kOrders; ++i) {
    auto created = client.post("/v1/orders", order_body("cust-metrics", {{"mug", 1}}));
    ASSERT_TRUE(created.is_ok()) << created.status().to_string();
    ASSERT_EQ(created->status, 201) << created->body;
    ids.emplace_back(parse_json(created->body).at("id").as_string());
  }
  auto stuck = client.post("/v1/orders", order_body("cust-metrics", {{"mug", 1}}, "tok_processing_error"));
  ASSERT_TRUE(stuck.is_ok());
  ASSERT_EQ(stuck->status, 201) << stuck->body;
  ids.emplace_back(parse_json(stuck->body).at("id").as_string());
  auto invalid = client.post("/v1/orders", "{\"customerId\":");
  ASSERT_TRUE(invalid.is_ok());
  ASSERT_EQ(invalid->status, 400);
  auto missing = client.get("/v1/orders/no-such-order-7f3a");
  ASSERT_TRUE(missing.is_ok());
  ASSERT_EQ(missing->status, 404);
  for (const auto& id : ids) ASSERT_TRUE(wait_terminal(client, id, 30'000)) << id;

  // The bus and the notification jobs finish a little after the last order's
  // terminal status: wait until every subscription has caught up.
  std::map<std::string, double> samples;
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    text = scrape(client);
    samples = parse_scrape(text);
    double lag = 0;
    int subscriptions = 0;
    for (const auto& [series, value] : samples) {
      if (series.rfind("orderflow_bus_subscription_lag_events{", 0) == 0) {
        lag += value;
        ++subscriptions;
      }
    }
    // (Queued jobs stay: each order has a reservation-expiry job due in 15 minutes.)
    if (subscriptions > 0 && lag == 0 && value_of(samples, "orderflow_jobs_in_flight") == 0 &&
        value_of(samples, "orderflow_jobs{state=\"running\"}") == 0) {
      break;
    }
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the bus never caught up:\n" << text;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  const int accepted = kOrders + 1;
  EXPECT_EQ(value_of(samples, "orderflow_orders_created_total"), accepted);
  EXPECT_EQ(value_of(samples, "orderflow_order_confirmation_seconds_count"), accepted);
  EXPECT_EQ(value_of(samples, "orderflow_order_confirmation_seconds_bucket{le=\"+Inf\"}"), accepted);
  EXPECT_GT(value_of(samples, "orderflow_order_confirmation_seconds_sum"), 0);
  EXPECT_EQ(value_of(samples, R"(orderflow_http_requests_total{route="/v1/orders",method="POST",code="201"})"),
            accepted);
  EXPECT_EQ(value_of(samples, R"(orderflow_http_requests_total{route="/v1/orders",method="POST",code="400"})"), 1);
  EXPECT_EQ(value_of(samples, R"(orderflow_http_request_duration_seconds_count{route="/v1/orders",method="POST"})"),
            accepted + 1);
  EXPECT_EQ(value_of(samples, R"(orderflow_http_requests_total{route="/v1/orders/{id}",method="GET",code="404"})"),
            1);
  EXPECT_GE(value_of(samples, R"(orderflow_http_requests_total{route="/v1/orders/{id}",method="GET",code="200"})"),
            accepted);
  EXPECT_EQ(value_of(samples, R"(orderflow_http_requests_total{route="/v1/products/{id}",method="PUT",code="200"})"),
            1);
  EXPECT_EQ(text.find("no-such-order-7f3a"), std::string::npos) << "a raw path leaked into a label";
  EXPECT_EQ(text.find("/v1/orders/0"), std::string::npos) << "a raw order id leaked into a label";

  // The pipeline's figures.
  EXPECT_GT(value_of(samples, "orderflow_store_commits_total"), 0);
  EXPECT_GE(value_of(samples, "orderflow_store_units_total"), value_of(samples, "orderflow_store_commits_total"));
  EXPECT_GT(value_of(samples, "orderflow_store_batch_units_count"), 0);
  EXPECT_GT(value_of(samples, "orderflow_bus_delivered_total"), accepted);
  EXPECT_GE(value_of(samples, "orderflow_jobs_succeeded_total"), kOrders);
  EXPECT_EQ(value_of(samples, "orderflow_jobs_dead_lettered_total"), 1);
  EXPECT_EQ(value_of(samples, "orderflow_dead_letters{kind=\"job\"}"), 1);
  EXPECT_EQ(value_of(samples, "orderflow_dead_letters{kind=\"event\"}"), 0);
  EXPECT_EQ(value_of(samples, "orderflow_store_read_ok"), 1);
  EXPECT_GT(value_of(samples, "orderflow_event_log_head_seq"), 0);
  EXPECT_GE(value_of(samples, "orderflow_status_streams"), 0);
  EXPECT_GE(value_of(samples, "orderflow_http_connections"), 1);  // this scrape's own
  EXPECT_GT(value_of(samples, "process_resident_memory_bytes"), 0);
  EXPECT_GT(value_of(samples, "process_open_fds"), 0);
  EXPECT_GT(value_of(samples, "process_start_time_seconds"), 1.7e9);

  // Histogram buckets are cumulative and end at _count.
  double previous = 0;
  for (const char* le : {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1",
                         "2.5", "5", "10", "30", "+Inf"}) {
    const double bucket =
        value_of(samples, std::string("orderflow_order_confirmation_seconds_bucket{le=\"") + le + "\"}");
    ASSERT_GE(bucket, previous) << le;
    previous = bucket;
  }

  auto wrong_method = client.request("DELETE", "/metrics");
  ASSERT_TRUE(wrong_method.is_ok());
  EXPECT_EQ(wrong_method->status, 405);

  if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << kPromtool << " is missing (apt-get install prometheus)";
  const std::filesystem::path file = std::filesystem::path(dir.path()) / "scrape.prom";
  std::ofstream(file) << text;
  CommandResult check = run(std::string(kPromtool) + " check metrics < " + file.string());
  EXPECT_EQ(check.exit_code, 0) << check.output << "\n" << text;
  EXPECT_EQ(check.output, "") << "promtool lint findings";

  // Every orderflow_* metric the dashboard and the alerts query is one this scrape has.
  std::set<std::string> names;
  for (const auto& [series, value] : samples) names.insert(series.substr(0, series.find('{')));
  const std::string source = ORDERFLOW_SOURCE_DIR;
  const std::regex metric_name(R"(orderflow_[a-z_]+)");
  for (const char* path : {"/deploy/grafana/orderflow.json", "/deploy/prometheus/alerts.yml"}) {
    const std::string content = read_text(source + path);
    ASSERT_FALSE(content.empty()) << path;
    for (auto it = std::sregex_iterator(content.begin(), content.end(), metric_name); it != std::sregex_iterator();
         ++it) {
      const std::string name = it->str();
      EXPECT_TRUE(names.count(name) > 0) << path << " queries " << name << ", which /metrics does not expose";
    }
  }
}

TEST(MetricsE2eTest, PromtoolAcceptsTheAlertRulesAndTheirTests) {
  if (!std::filesystem::exists(kPromtool)) GTEST_SKIP() << kPromtool << " is missing (apt-get install prometheus)";
  const std::string source = ORDERFLOW_SOURCE_DIR;
  CommandResult rules = run(std::string(kPromtool) + " check rules " + source + "/deploy/prometheus/alerts.yml");
  EXPECT_EQ(rules.exit_code, 0) << rules.output;
  CommandResult tests = run(std::string(kPromtool) + " test rules " + source + "/deploy/prometheus/alerts_test.yml");
  EXPECT_EQ(tests.exit_code, 0) << tests.output;
  CommandResult config = run(std::string(kPromtool) + " check config --syntax-only " + source +
                             "/deploy/prometheus/prometheus.yml");
  EXPECT_EQ(config.exit_code, 0) << config.output;
}

TEST(MetricsE2eTest, GrafanaDashboardIsValidJsonWithTheExpectedPanels) {
  const std::string source = ORDERFLOW_SOURCE_DIR;
  const std::string text = read_text(source + "/deploy/grafana/orderflow.json");
  boost::json::value dashboard = parse_json(text);
  ASSERT_TRUE(dashboard.is_object());
  std::set<std::string> titles;
  for (const auto& panel : dashboard.at("panels").as_array()) {
    titles.insert(std::string(panel.at("title").as_string()));
    if (panel.at("type").as_string() == "row") continue;
    ASSERT_TRUE(panel.as_object().contains("targets")) << panel.at("title").as_string();
    for (const auto& target : panel.at("targets").as_array()) {
      EXPECT_FALSE(target.at("expr").as_string().empty());
    }
  }
  for (const char* expected : {"Request rate", "Latency percentiles", "5xx error ratio", "Orders per second",
                               "Consumer lag", "Jobs by state", "Dead letters", "Commit latency", "Batch size"}) {
    EXPECT_TRUE(titles.count(expected) > 0) << "no panel titled " << expected;
  }
}

}  // namespace
}  // namespace of::e2e
