// GatewaySimProcess: `orderflow gateway-sim` as its own process for
// end-to-end tests, on a port chosen once (a restart comes back on the same
// port, as a real gateway would) with its ledger in a temporary directory.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "net/http_client.h"

namespace of::e2e {

class GatewaySimProcess {
 public:
  // `args` are extra command-line flags (--error-rate 0.2, ...).
  GatewaySimProcess(std::string data_dir, std::vector<std::string> args = {});
  ~GatewaySimProcess();

  // Starts and waits until /admin/faults answers (false after timeout_ms).
  bool start(int64_t timeout_ms = 10'000);
  void kill9();
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  net::HttpClient client() const;
  // POST /admin/faults with a JSON object; fails the test on error.
  void set_faults(const std::string& faults_json);
  // GET /admin/faults: the settings and "injected" fault counts since start.
  boost::json::object faults();
  // GET /admin/ledger: {"payment_intents":[...],"refunds":[...]}.
  boost::json::object ledger();
  std::string log_tail(size_t bytes = 4000) const;

 private:
  std::string data_dir_;
  std::vector<std::string> args_;
  uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace of::e2e
