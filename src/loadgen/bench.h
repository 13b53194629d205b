// `orderflow bench`: the load generator users point at any orderflow.
//
// It loads a catalog (optional), runs one or more scenarios (scenario.h) one
// after the other against the same server, and after each waits for every
// accepted order to reach a terminal state, reading each order's status
// history for the end-to-end stage latencies. Then it prints a table and
// writes the JSON report and the SVG charts (report.h).
//
// Open loop: a schedule of intended send times is computed up front; each of
// `connections` threads owns one keep-alive HttpClient and takes the next
// slot, sleeps until its time and sends; latency is counted from the slot's
// intended time, so a slow server cannot hide its queueing behind a waiting
// client (no coordinated omission). If every connection is busy, slots are
// sent late and the lag shows in sendLagMs: raise --connections then.
// Closed loop: the threads send back to back; latency from the actual send.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"
#include "loadgen/report.h"

namespace of::loadgen {

struct BenchOptions {
  std::string url = "http://127.0.0.1:8080";
  std::string scenario = "steady";  // a list: "closed:duration=20,steady:rate=2000,brief-10k"
  std::optional<double> rate_per_s;
  std::optional<double> duration_s;
  std::optional<int> connections;
  std::string mode;  // "", "open" or "closed": overrides every scenario's mode
  int64_t products = 1000;
  double zipf_exponent = 1.0;
  uint64_t seed = 1;
  double invalid_share = 0.02;
  double decline_share = 0.02;
  double cancel_share = 0.01;
  bool setup_catalog = false;
  int64_t stock_per_product = 1'000'000'000;  // --setup-catalog puts this much on hand
  std::string report_path;
  std::string svg_path;
  int server_pid = 0;  // 0: not measured
  std::string label;
  std::string fsync_dir;      // when set, the disk's fsync rate is measured there first
  bool end_to_end = true;     // read every accepted order's history after each scenario
  double finish_timeout_s = 300;  // how long to wait for accepted orders to finish
  bool quiet = false;         // no progress lines on stderr
};

// Everything `orderflow bench` does; returns the process exit status:
// 0 when every scenario ran and every accepted order finished, 1 when some
// order did not finish, had transport errors or the server answered 5xx,
// 2 for bad options or an unreachable server.
int run_bench_command(const BenchOptions& options);

// The same, returning the report (for tests and tools). kInvalidArgument for
// bad options, kUnavailable when the server cannot be reached.
Result<BenchReport> run_bench(const BenchOptions& options);

struct Endpoint {
  std::string host;
  uint16_t port = 80;
};
// "http://host[:port][/]" only; kInvalidArgument otherwise.
Result<Endpoint> parse_http_url(std::string_view url);

}  // namespace of::loadgen
