// JobRunner: executes external side effects (charge a card, send a message,
// ask the carrier) outside any transaction, and records each outcome in one.
//
// A handler enqueues a job with enqueue_job() inside its transaction; the job
// becomes visible to the runner when that transaction commits. The runner
// claims due jobs (state running, lease = now + timeout + margin, so a job
// whose runner died is retried after the lease), executes them on a pool of
// worker threads, then commits the outcome through the kind's on_outcome in a
// store transaction:
//   - kSuccess: on_outcome(final=true); job done.
//   - kPermanentFailure: on_outcome(final=true); job done (no retry).
//   - kTransientFailure: retried after exponential backoff with full jitter;
//     after max_attempts, on_outcome(final=true) and a dead-letter record.
// Execution is at-least-once (a crash between the call and the commit repeats
// the call), so every executor passes an idempotency key derived from the job
// to the outside world; job ids are stable across retries.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/clock.h"
#include "base/random.h"
#include "base/status.h"
#include "store/store.h"

namespace of::jobs {

struct JobOutcome {
  enum class Kind { kSuccess, kPermanentFailure, kTransientFailure };
  Kind kind = Kind::kSuccess;
  std::string detail;       // error text or a short description
  std::string result_json;  // what the outside world answered, stored on the job
  // For kTransientFailure: retry no sooner than this (e.g. Retry-After); 0: backoff.
  int64_t retry_after_ms = 0;

  static JobOutcome success(std::string result_json = {}) { return {Kind::kSuccess, {}, std::move(result_json), 0}; }
  static JobOutcome permanent(std::string detail) { return {Kind::kPermanentFailure, std::move(detail), {}, 0}; }
  static JobOutcome transient(std::string detail) { return {Kind::kTransientFailure, std::move(detail), {}, 0}; }
};

struct JobKindSpec {
  std::string kind;
  // Runs on a worker thread, outside any transaction; may block on I/O up to timeout_ms.
  std::function<JobOutcome(const core::Job& job)> execute;
  // Runs in a store transaction after each attempt that ends the job (success,
  // permanent failure, or the last transient failure: `final` is always true
  // today; it is a parameter so a kind may also observe intermediate failures).
  std::function<Status(store::Tx& tx, const core::Job& job, const JobOutcome& outcome)> on_outcome;
  int max_attempts = 8;
  int64_t base_backoff_ms = 200;
  int64_t max_backoff_ms = 60'000;
  int64_t timeout_ms = 10'000;
};

struct JobRunnerOptions {
  int worker_threads = 8;     // 1..256
  int claim_batch_max = 256;  // jobs claimed per store round trip
  int64_t lease_margin_ms = 5'000;
  int64_t idle_poll_ms = 1'000;  // safety poll when nothing woke the runner
  // At start, jobs left running by a previous process go back to the queue at
  // once instead of waiting out their lease. Only for a runner that is the
  // store's sole runner (the embedded shape, where a lock on the data
  // directory guarantees it); with several processes, leases decide.
  bool reclaim_running_at_start = false;
};

struct JobRunnerStats {
  int64_t executed = 0;
  int64_t succeeded = 0;
  int64_t failed_permanent = 0;
  int64_t retried = 0;
  int64_t dead_lettered = 0;
  int64_t in_flight = 0;
  int64_t stale_outcomes = 0;  // dropped: the job's lease had expired and it was claimed again
  int64_t outcome_failures = 0;  // the outcome unit failed (on_outcome error); the lease retries it
};

// Inserts a queued job in the caller's transaction. `job.id` must be stable
// for the effect (derive it from the order and the purpose) so that enqueuing
// twice is harmless: an existing id is left as it is.
Status enqueue_job(store::Tx& tx, const core::Job& job);

class JobRunner {
 public:
  JobRunner(store::Store& store, const Clock& clock, Random& random, JobRunnerOptions options);
  ~JobRunner();
  void register_kind(JobKindSpec spec);  // before start()
  Status start();
  void stop();
  void wake();  // new jobs were committed
  JobRunnerStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace of::jobs
