// What the load generator reads about processes and the machine from /proc
// (Linux only): a process's CPU time and resident memory, the CPU model and
// kernel, and the fsync rate of a directory's disk. Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/status.h"

namespace of::loadgen {

struct ProcessSample {
  double cpu_s = 0;  // utime + stime of all threads
  int64_t rss_kb = 0;
};

// kNotFound when the process does not exist (or /proc is not there).
Result<ProcessSample> sample_process(int pid);

// CPU seconds (user + system) of the calling process.
double self_cpu_s();

std::string cpu_model();
std::string kernel_version();

// Writes 4 KiB and fdatasyncs it, over and over for about `duration_ms`, in a
// temporary file inside `directory`: the durable commits per second the disk
// allows one writer. The file is removed.
Result<double> measure_fsyncs_per_s(const std::string& directory, int64_t duration_ms);

}  // namespace of::loadgen
