// The orderflow_* figures that other components already keep, read at scrape
// time: the store's commit statistics, the bus's delivery statistics and
// per-subscription lag, the job runner's statistics, jobs by state, pending
// retries, dead-letter depth, open status streams and HTTP connections.
//
// Read through the ports only (Store::stats/read, Bus::stats/checkpoints,
// JobRunner::stats), a handful of small queries per scrape on the scraping
// thread. Also adds one store commit listener that observes each commit's
// batch size into orderflow_store_batch_units (a histogram): call
// add_system_collector() before Store::start(). The store, bus and runner must
// outlive the registry's last scrape.
#pragma once

#include <cstdint>
#include <functional>

#include "bus/bus.h"
#include "jobs/job_runner.h"
#include "metrics/registry.h"
#include "store/store.h"

namespace of::metrics {

// Dead letters counted per scrape at most; beyond it the gauge shows this
// figure (the alert fires at 1; GET /v1/dead-letters pages through the rest).
inline constexpr int64_t kDeadLettersCountedMax = 10'000;

struct SystemSources {
  store::Store& store;
  bus::Bus& bus;
  jobs::JobRunner& jobs;
  std::function<int64_t()> status_streams;    // optional
  std::function<int64_t()> http_connections;  // optional
};

void add_system_collector(Registry& registry, SystemSources sources);

}  // namespace of::metrics
