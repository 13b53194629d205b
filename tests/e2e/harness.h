// Test harness for end-to-end tests: runs the orderflow binary as its own
// process on a free port with a temporary data directory, and gives tests a
// small typed API over real HTTP.
#pragma once

#include <sys/types.h>

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "net/http_client.h"
#include "support/temp_dir.h"

namespace of::e2e {

// A temporary data directory, removed at the end of the test.
class TempDirectory {
 public:
  std::string path() const { return dir_.path().string(); }

 private:
  testing::TempDir dir_{"orderflow-e2e"};
};

uint16_t free_port();

// Starts `args` (args[0] is the binary) with stdout and stderr appended to
// log_path, then waits until GET ready_path on 127.0.0.1:port answers 200.
// pid is -1 when the child exited before it was ready; ready is false on timeout
// (the child is left running for the caller to kill).
struct Spawned {
  pid_t pid = -1;
  bool ready = false;
};
Spawned spawn_until_ready(std::vector<std::string> args, const std::string& log_path, uint16_t port,
                          const std::string& ready_path, int64_t timeout_ms);

class OrderflowProcess {
 public:
  // `settings` are --set key=value pairs added to the defaults for tests
  // (no demo catalog, fast delivery, text logs).
  OrderflowProcess(std::string data_dir, std::vector<std::string> settings = {});
  ~OrderflowProcess();

  // Starts and waits until /healthz answers (false after timeout_ms).
  bool start(int64_t timeout_ms = 30'000);
  void kill9();
  // SIGTERM, then waits; returns the exit status.
  int terminate();
  bool running() const { return pid_ > 0; }
  uint16_t port() const { return port_; }
  const std::string& data_dir() const { return data_dir_; }
  net::HttpClient client() const;
  std::string log_tail(size_t bytes = 4000) const;

 private:
  std::string data_dir_;
  std::vector<std::string> settings_;
  uint16_t port_;
  pid_t pid_ = -1;
};

boost::json::value parse_json(const std::string& text);

// A valid order body for a US address.
std::string order_body(const std::string& customer_id, const std::vector<std::pair<std::string, int>>& lines,
                       const std::string& payment_token = "tok_visa");

// PUT a product and its stock; fails the test on error.
void add_product(net::HttpClient& client, const std::string& id, int64_t price_minor, int64_t on_hand);

// Every order the store holds, listed page by page through GET /v1/orders
// (after kill -9 it may hold orders whose 201 never reached the client).
std::vector<std::string> all_order_ids(net::HttpClient& client);

bool is_terminal_status(const std::string& status);

// Polls GET /v1/orders/{id} until the order is in a terminal status or the
// deadline passes; returns the last body seen.
std::optional<boost::json::object> wait_terminal(net::HttpClient& client, const std::string& order_id,
                                                 int64_t timeout_ms);

struct Stock {
  int64_t on_hand = 0, reserved = 0, available = 0, sold = 0;
};
Stock get_stock(net::HttpClient& client, const std::string& product_id);

// Approved charges per order id in the gateway simulator's ledger.
std::map<std::string, int> approved_charges(const std::string& data_dir);

}  // namespace of::e2e
