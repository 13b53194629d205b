// The standard process_* metrics, read from /proc at scrape time (Linux):
// process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds. A file that cannot be read leaves its metric out
// of that scrape rather than reporting a wrong value.
#pragma once

#include <optional>

#include "metrics/registry.h"

namespace of::metrics {

struct ProcessFigures {
  std::optional<double> cpu_seconds;
  std::optional<double> resident_memory_bytes;
  std::optional<double> virtual_memory_bytes;
  std::optional<double> open_fds;
  std::optional<double> max_fds;
  std::optional<double> start_time_seconds;
};

// Reads this process's figures now.
ProcessFigures read_process_figures();

void add_process_collector(Registry& registry);

}  // namespace of::metrics
