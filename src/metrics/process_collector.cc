#include "metrics/process_collector.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/log.h"

namespace of::metrics {

namespace {

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Seconds since the epoch at boot, from the btime line of /proc/stat.
std::optional<double> boot_time_seconds() {
  auto stat = read_file("/proc/stat");
  if (!stat) return std::nullopt;
  std::istringstream lines(*stat);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

void read_into(ProcessFigures& figures);

}  // namespace

ProcessFigures read_process_figures() {
  ProcessFigures figures;
  try {
    read_into(figures);
  } catch (const std::exception& error) {  // std::stod on a field /proc never should have
    OF_LOG_WARN("reading process metrics from /proc failed: {}", error.what());
  }
  return figures;
}

namespace {
void read_into(ProcessFigures& figures) {
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page_bytes = static_cast<double>(sysconf(_SC_PAGESIZE));

  // /proc/self/stat: the command name (field 2) may hold spaces and
  // parentheses, so fields are counted from the last ')'.
  if (auto stat = read_file("/proc/self/stat")) {
    size_t close = stat->rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(stat->substr(close + 1));
      std::vector<std::string> fields;  // fields[0] is field 3 (state)
      std::string field;
      while (rest >> field) fields.push_back(field);
      // utime 14, stime 15, starttime 22, vsize 23, rss 24 (1-based, man 5 proc).
      if (fields.size() > 21 && ticks_per_second > 0) {
        figures.cpu_seconds = (std::stod(fields[14 - 3]) + std::stod(fields[15 - 3])) / ticks_per_second;
        if (auto boot = boot_time_seconds()) {
          figures.start_time_seconds = *boot + std::stod(fields[22 - 3]) / ticks_per_second;
        }
        figures.virtual_memory_bytes = std::stod(fields[23 - 3]);
        figures.resident_memory_bytes = std::stod(fields[24 - 3]) * page_bytes;
      }
    }
  }

  std::error_code error;
  double open = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end; it.increment(error)) {
    ++open;
  }
  if (!error) figures.open_fds = open - 1;  // not counting the iterator's own descriptor

  if (auto limits = read_file("/proc/self/limits")) {
    std::istringstream lines(*limits);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("Max open files", 0) != 0) continue;
      std::istringstream values(line.substr(14));
      std::string soft;
      values >> soft;
      if (soft == "unlimited") break;
      figures.max_fds = std::stod(soft);
    }
  }
}
}  // namespace

void add_process_collector(Registry& registry) {
  registry.add_collector([](ExpositionWriter& writer) {
    const ProcessFigures figures = read_process_figures();
    auto write = [&](const char* name, const char* help, MetricType type, const std::optional<double>& value) {
      if (!value) return;
      writer.begin(name, help, type);
      writer.sample(name, {}, *value);
    };
    write("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::kCounter,
          figures.cpu_seconds);
    write("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge,
          figures.resident_memory_bytes);
    write("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge,
          figures.virtual_memory_bytes);
    write("process_open_fds", "Number of open file descriptors.", MetricType::kGauge, figures.open_fds);
    write("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge, figures.max_fds);
    write("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", MetricType::kGauge,
          figures.start_time_seconds);
  });
}

}  // namespace of::metrics
