// `orderflow bench` against a real server: a short open-loop run at a low
// rate with every kind of order in the mix, then its JSON report is checked
// against what the server holds. Behaviour only: no assertion on a timing.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "e2e/harness.h"

namespace of::e2e {
namespace {

TEST(BenchE2eTest, ReportAgreesWithTheServer) {
  TempDirectory data;
  OrderflowProcess server(data.path());
  ASSERT_TRUE(server.start()) << server.log_tail();
  const std::string report_path = data.path() + "/report.json";
  const std::string svg_path = data.path() + "/report.svg";
  std::ostringstream command;
  command << ORDERFLOW_BINARY << " bench --url http://127.0.0.1:" << server.port()
          << " --scenario steady:rate=40:duration=5 --connections 8 --setup-catalog --products 20"
          << " --invalid-share 0.1 --decline-share 0.1 --cancel-share 0.1 --seed 3 --finish-timeout 120"
          << " --quiet --report " << report_path << " --svg " << svg_path << " > " << data.path()
          << "/bench.out 2>&1";
  int status = std::system(command.str().c_str());
  ASSERT_TRUE(WIFEXITED(status));
  std::ifstream output(data.path() + "/bench.out");
  std::string printed((std::istreambuf_iterator<char>(output)), std::istreambuf_iterator<char>());
  ASSERT_EQ(WEXITSTATUS(status), 0) << printed << server.log_tail();
  EXPECT_NE(printed.find("steady"), std::string::npos) << printed;

  std::ifstream file(report_path);
  ASSERT_TRUE(file) << "no report written";
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  auto report = parse_json(text).as_object();
  const auto& run = report.at("runs").as_array().at(0).as_object();
  const auto& orders = run.at("orders").as_object();
  const int64_t sent = orders.at("sent").as_int64();
  const int64_t accepted = orders.at("accepted").as_int64();
  EXPECT_EQ(sent, orders.at("scheduled").as_int64()) << "an open-loop run sends every scheduled order";
  EXPECT_EQ(sent, 200);
  EXPECT_GT(accepted, 0);
  EXPECT_EQ(orders.at("errors").as_int64(), 0) << text;
  EXPECT_EQ(orders.at("rejectedAsExpected").as_int64(), orders.at("invalidSent").as_int64());
  EXPECT_EQ(accepted + orders.at("rejectedAsExpected").as_int64(), sent);
  EXPECT_GT(orders.at("invalidSent").as_int64(), 0);
  EXPECT_GT(orders.at("declinedSent").as_int64(), 0);
  EXPECT_GT(orders.at("cancelsSent").as_int64(), 0);

  // Every order the report counts as accepted is on the server, and no other.
  net::HttpClient client = server.client();
  EXPECT_EQ(static_cast<int64_t>(all_order_ids(client).size()), accepted);

  // Each accepted order was followed to a terminal state.
  const auto& end_to_end = run.at("endToEnd").as_object();
  EXPECT_TRUE(end_to_end.at("measured").as_bool());
  EXPECT_EQ(end_to_end.at("ordersChecked").as_int64(), accepted);
  EXPECT_EQ(end_to_end.at("unfinished").as_int64(), 0);
  int64_t finished = 0;
  for (const auto& [status_name, count] : end_to_end.at("finalStatuses").as_object()) {
    EXPECT_TRUE(is_terminal_status(std::string(status_name))) << status_name;
    finished += count.as_int64();
  }
  EXPECT_EQ(finished, accepted);
  EXPECT_GT(end_to_end.at("finalStatuses").as_object().at("DELIVERED").as_int64(), 0);
  EXPECT_EQ(run.at("confirmationMs").at("count").as_int64(), accepted);
  EXPECT_FALSE(run.at("timeline").as_array().empty());
  EXPECT_TRUE(std::filesystem::file_size(svg_path) > 0);
}

TEST(BenchE2eTest, UnreachableServerIsAnError) {
  std::string command = std::string(ORDERFLOW_BINARY) + " bench --url http://127.0.0.1:" +
                        std::to_string(free_port()) + " --scenario steady:duration=1 --quiet > /dev/null 2>&1";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

TEST(BenchE2eTest, BadScenarioIsAnError) {
  std::string command = std::string(ORDERFLOW_BINARY) + " bench --scenario no-such-scenario --quiet > /dev/null 2>&1";
  int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
}

}  // namespace
}  // namespace of::e2e
