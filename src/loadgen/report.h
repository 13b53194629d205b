// What one `orderflow bench` invocation measured, and its three renderings:
// a fixed-width table for people, a JSON report holding the raw figures, and
// an SVG with latency-over-time and throughput-over-time charts per scenario
// (hand-drawn polylines, no dependencies).
//
// Latencies are recorded in microseconds and reported in milliseconds.
// Confirmation latency is measured from each request's intended send time in
// open-loop mode (no coordinated omission) and from its actual send time in
// closed-loop mode. Stage latencies come from the server's own status history
// (millisecond timestamps), relative to the order's PENDING entry.
// Plain values; build on one thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "loadgen/histogram.h"
#include "loadgen/scenario.h"
#include "loadgen/traffic.h"

namespace of::loadgen {

// The lifecycle stages measured from each accepted order's history.
inline constexpr std::array<const char*, 4> kStageNames = {"reserved", "paid", "shipped", "delivered"};
inline constexpr std::array<const char*, 4> kStageStatuses = {"RESERVED", "PAID", "SHIPPED", "DELIVERED"};

struct LatencySummary {
  int64_t count = 0;
  double mean_ms = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};
LatencySummary summarize(const LatencyHistogram& histogram_us);

// One timeline bucket (bucket_s seconds wide), by the time answers arrived.
struct TimelinePoint {
  double start_s = 0;
  int64_t sent = 0;      // requests whose answer arrived in the bucket
  int64_t accepted = 0;  // 201s
  int64_t errors = 0;
  LatencySummary confirmation;  // of the 201s
};

struct ServerUsage {
  int pid = 0;
  double cpu_s = 0;               // utime + stime of every thread over the measured window
  double cpu_us_per_order = 0;    // cpu_s / accepted orders
  int64_t rss_kb_before = 0;
  int64_t rss_kb_after = 0;
};

struct RunResult {
  Scenario scenario;
  int64_t scheduled = 0;        // open loop: arrivals in the schedule
  double offered_per_s = 0;     // open loop: scheduled / duration
  double load_s = 0;            // first send to last answer
  int64_t sent = 0;
  int64_t accepted = 0;
  int64_t rejected_expected = 0;  // invalid orders refused with 400, as they should be
  int64_t invalid_sent = 0;
  int64_t declined_sent = 0;      // accepted or not
  int64_t cancels_sent = 0;
  std::map<std::string, int64_t> errors;            // "http_503", "transport", "invalid_accepted", ...
  std::map<std::string, int64_t> cancel_responses;  // "http_200": n
  double accepted_per_s = 0;
  LatencyHistogram confirmation_us;  // 201 answers
  LatencyHistogram send_lag_us;      // open loop: how late the generator sent (its own limit)
  double timeline_bucket_s = 1;
  std::vector<TimelinePoint> timeline;

  // End to end, from GET /v1/orders/{id} after the load.
  bool stages_measured = false;
  int64_t orders_checked = 0;
  int64_t unfinished = 0;  // not terminal when the finish timeout passed
  std::map<std::string, int64_t> final_statuses;
  std::array<LatencyHistogram, 4> stage_us;  // kStageNames
  std::optional<double> all_finished_s;      // from the first send to the last order's terminal state
  std::optional<double> drained_after_load_s;  // from the last answer to the last terminal state

  std::optional<double> spike_recovery_s;  // spike shape: seconds after the spike until P99 is back
  std::optional<ServerUsage> server;
  double client_cpu_s = 0;  // the load generator's own CPU over the load
};

struct MachineInfo {
  int cores = 0;
  std::string cpu_model;
  std::string kernel;
  std::optional<double> fsyncs_per_s;  // measured in --fsync-dir, when given
  std::string fsync_dir;
};

struct BenchReport {
  std::string label;  // free text from --label: "synchronous=FULL"
  std::string url;
  std::string started_at;  // ISO 8601
  uint64_t seed = 0;
  TrafficMix mix;
  MachineInfo machine;
  std::vector<RunResult> runs;
};

boost::json::object to_json(const BenchReport& report);
std::string report_json(const BenchReport& report);  // pretty enough: one run per line block
std::string format_table(const BenchReport& report);
std::string render_svg(const BenchReport& report);

}  // namespace of::loadgen
