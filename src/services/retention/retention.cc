#include "services/retention/retention.h"

#include <chrono>

#include "base/log.h"
#include "base/random.h"

namespace of::services {

Retention::Retention(store::Store& store, const Clock& clock, RetentionOptions options)
    : store_(store), clock_(clock), options_(options) {}

Retention::~Retention() { stop(); }

void Retention::start() {
  std::lock_guard lock(mutex_);
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Retention::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Result<int64_t> Retention::run_once() {
  int64_t total = 0;
  // Bounded units, repeated while they come back full, so one pass never
  // holds the writer for long.
  for (int round = 0; round < 1000; ++round) {
    const TimeMs now = clock_.now_ms();
    int64_t deleted = 0;
    Status status = store_.write([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(deleted, tx.prune_finished(now - options_.jobs_keep_ms,
                                                     EventId(uuid_v7_floor(now - options_.inbox_keep_ms)),
                                                     options_.batch_max));
      OF_ASSIGN_OR_RETURN(int64_t keys, tx.prune_idempotent(now - options_.idempotency_keep_ms, options_.batch_max));
      deleted += keys;
      return Status::ok();
    });
    if (!status.is_ok()) return status;
    total += deleted;
    if (deleted < options_.batch_max) break;
  }
  return total;
}

void Retention::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(options_.interval_ms), [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    auto deleted = run_once();
    if (!deleted) {
      OF_LOG_WARN("retention pass failed: {}", deleted.status().to_string());
    } else if (*deleted > 0) {
      OF_LOG_INFO("retention: deleted {} finished jobs, inbox entries and idempotency keys", *deleted);
    }
    lock.lock();
  }
}

}  // namespace of::services
