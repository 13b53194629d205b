#include "e2e/gateway_sim_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/harness.h"

namespace of::e2e {

GatewaySimProcess::GatewaySimProcess(std::string data_dir, std::vector<std::string> args)
    : data_dir_(std::move(data_dir)), args_(std::move(args)), port_(free_port()) {}

GatewaySimProcess::~GatewaySimProcess() { kill9(); }

bool GatewaySimProcess::start(int64_t timeout_ms) {
  std::vector<std::string> args = {ORDERFLOW_BINARY,      "gateway-sim", "--port",
                                   std::to_string(port_), "--data-dir",  data_dir_};
  args.insert(args.end(), args_.begin(), args_.end());
  Spawned spawned = spawn_until_ready(std::move(args), data_dir_ + "/gateway-sim.log", port_, "/admin/faults",
                                      timeout_ms);
  pid_ = spawned.pid;
  return spawned.ready;
}

void GatewaySimProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

net::HttpClient GatewaySimProcess::client() const { return net::HttpClient({"127.0.0.1", port_, 2000, 30000}); }

void GatewaySimProcess::set_faults(const std::string& faults_json) {
  net::HttpClient http = client();
  auto response = http.post("/admin/faults", faults_json);
  ASSERT_TRUE(response) << response.status().to_string();
  ASSERT_EQ(response->status, 200) << response->body;
}

boost::json::object GatewaySimProcess::faults() {
  net::HttpClient http = client();
  auto response = http.get("/admin/faults");
  EXPECT_TRUE(response && response->status == 200);
  if (!response || response->status != 200) return {};
  auto value = parse_json(response->body);
  return value.is_object() ? value.as_object() : boost::json::object();
}

boost::json::object GatewaySimProcess::ledger() {
  net::HttpClient http = client();
  auto response = http.get("/admin/ledger");
  EXPECT_TRUE(response && response->status == 200);
  if (!response || response->status != 200) return {};
  auto value = parse_json(response->body);
  return value.is_object() ? value.as_object() : boost::json::object();
}

std::string GatewaySimProcess::log_tail(size_t bytes) const {
  std::ifstream file(data_dir_ + "/gateway-sim.log");
  std::stringstream buffer;
  buffer << file.rdbuf();
  std::string text = buffer.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace of::e2e
