// Scenarios of `orderflow bench`: how many orders arrive when.
//
// A scenario is a mode (open loop: orders arrive on a schedule whatever the
// server does; closed loop: N connections send the next order as soon as the
// last one is answered), a shape of the arrival rate over time (steady, ramp,
// spike) and its numbers. Named scenarios:
//
//   steady         open, `rate` orders/s for `duration` s           (200/s, 30 s)
//   ramp           open, 0 -> `rate` linearly over `duration`      (200/s, 30 s)
//   spike          open, `rate`, and spike-factor x rate for spike-duration s
//                  from spike-start s                              (200/s, 10x for 10 s at 10 s, 30 s)
//   closed         closed loop, `connections` as fast as possible for `duration` (32, 20 s)
//   brief-10k      closed loop, 10,000 orders as fast as possible  (the brief's success test)
//   sustained-200  open, 200/s for `duration`                      (60 s)
//   peak-500       open, 500/s for `duration`                      (60 s)
//
// A spec is "name[:key=value]*" (keys: rate, duration, connections, mode,
// orders, spike-factor, spike-duration, spike-start), and a list separates
// specs with commas: "closed:duration=20,steady:rate=2000,brief-10k".
// Precedence: the name's defaults, then the command-line flags (overrides),
// then the spec's own keys. Pure values and functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace of::loadgen {

enum class LoadMode { kOpen, kClosed };
enum class Shape { kSteady, kRamp, kSpike };

inline constexpr double kRateMax = 1'000'000;         // orders/s
inline constexpr double kDurationMaxS = 86'400;       // one day
inline constexpr int kConnectionsMax = 4096;
inline constexpr int64_t kOrdersTotalMax = 100'000'000;
inline constexpr int64_t kArrivalsMax = 20'000'000;   // one open-loop schedule (160 MB)
inline constexpr int kScenariosMax = 32;               // in one list

struct Scenario {
  std::string name;
  std::string spec;  // as given, for the report
  LoadMode mode = LoadMode::kOpen;
  Shape shape = Shape::kSteady;
  double rate_per_s = 200;  // open loop; the base rate of a spike, the final rate of a ramp
  double duration_s = 30;   // open loop: the schedule's length; closed loop: a time limit
  int connections = 64;
  int64_t orders_total = 0;  // closed loop: stop after this many orders (0: no count limit)
  double spike_factor = 10;
  double spike_start_s = 10;
  double spike_duration_s = 10;
};

struct ScenarioOverrides {
  std::optional<double> rate_per_s;
  std::optional<double> duration_s;
  std::optional<int> connections;
  std::optional<LoadMode> mode;
};

std::string_view to_string(LoadMode mode);
std::string_view to_string(Shape shape);

// kInvalidArgument naming the scenario and the key for an unknown name, an
// unknown key, a malformed number or a value out of bounds.
Result<Scenario> parse_scenario(std::string_view spec, const ScenarioOverrides& overrides = {});
Result<std::vector<Scenario>> parse_scenario_list(std::string_view list, const ScenarioOverrides& overrides = {});

// The open-loop arrival rate at `t_s` seconds into the run.
double rate_at(const Scenario& scenario, double t_s);

// The intended send times of an open-loop scenario, in microseconds from the
// start, ascending: the rate integrated over 1 ms steps, so any shape works and
// the same scenario always gives the same schedule. kLimitExceeded beyond
// kArrivalsMax arrivals.
Result<std::vector<int64_t>> arrival_schedule_us(const Scenario& scenario);

}  // namespace of::loadgen
