#include "loadgen/proc_stats.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace of::loadgen {

Result<ProcessSample> sample_process(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!stat || !std::getline(stat, line)) return Status::not_found("process " + std::to_string(pid) + " not found");
  // The command name may hold spaces and parentheses: fields start after the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return Status::internal("unexpected /proc/<pid>/stat format");
  std::istringstream fields(line.substr(close + 2));
  std::vector<std::string> values;
  std::string value;
  while (fields >> value) values.push_back(value);
  // Field 3 (state) is values[0]; utime is field 14, stime field 15.
  if (values.size() < 13) return Status::internal("unexpected /proc/<pid>/stat format");
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  ProcessSample sample;
  sample.cpu_s = (std::stod(values[11]) + std::stod(values[12])) / ticks;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) sample.rss_kb = std::stoll(line.substr(6));
  }
  return sample;
}

double self_cpu_s() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        size_t start = line.find_first_not_of(' ', colon + 1);
        return start == std::string::npos ? "" : line.substr(start);
      }
    }
  }
  return "unknown";
}

std::string kernel_version() {
  utsname name{};
  if (::uname(&name) != 0) return "unknown";
  return std::string(name.sysname) + " " + name.release;
}

Result<double> measure_fsyncs_per_s(const std::string& directory, int64_t duration_ms) {
  std::string path = directory + "/.orderflow-fsync-probe-" + std::to_string(::getpid());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Status::unavailable("cannot create " + path + ": " + std::strerror(errno));
  char block[4096];
  std::memset(block, 'x', sizeof block);
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::milliseconds(duration_ms);
  int64_t syncs = 0;
  Status failed;
  // Overwrite the same block, as a log's tail page is, and make it durable each time.
  while (std::chrono::steady_clock::now() < deadline && syncs < 1'000'000) {
    if (::pwrite(fd, block, sizeof block, 0) != static_cast<ssize_t>(sizeof block) || ::fdatasync(fd) != 0) {
      failed = Status::unavailable("write or fdatasync failed in " + directory + ": " + std::strerror(errno));
      break;
    }
    ++syncs;
  }
  double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(fd);
  ::unlink(path.c_str());
  if (!failed.is_ok()) return failed;
  return static_cast<double>(syncs) / elapsed_s;
}

}  // namespace of::loadgen
