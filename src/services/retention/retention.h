// Retention: keeps the tables that grow with every order from growing without
// bound. Every interval_ms it deletes, in bounded batches, the jobs that
// finished more than jobs_keep_ms ago, the inbox entries of events older
// than inbox_keep_ms (a redelivery older than that is not expected from any
// bus) and the idempotency keys older than idempotency_keep_ms. Dead jobs, dead letters and the event log are kept.
//
// One thread; start() and stop() from the composition root.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "store/store.h"

namespace of::services {

struct RetentionOptions {
  int64_t interval_ms = 60'000;
  int64_t jobs_keep_ms = 24LL * 3'600'000;
  int64_t inbox_keep_ms = 7LL * 24 * 3'600'000;
  int batch_max = 1000;  // rows per table per unit; units repeat while full
  int64_t idempotency_keep_ms = 24LL * 3'600'000;  // an Idempotency-Key's TTL
};

class Retention {
 public:
  Retention(store::Store& store, const Clock& clock, RetentionOptions options);
  ~Retention();
  void start();
  void stop();
  // One pass now (tests, and the thread). Returns rows deleted.
  Result<int64_t> run_once();

 private:
  void loop();

  store::Store& store_;
  const Clock& clock_;
  const RetentionOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace of::services
