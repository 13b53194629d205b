#include "jobs/job_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/log.h"

namespace of::jobs {

Status enqueue_job(store::Tx& tx, const core::Job& job) {
  if (job.id.empty() || job.kind.empty()) return Status::invalid("a job needs an id and a kind");
  OF_ASSIGN_OR_RETURN(std::optional<core::Job> existing, tx.get_job(job.id));
  if (existing) return Status::ok();  // enqueued before: the same effect, already on its way
  core::Job queued = job;
  queued.state = core::JobState::kQueued;
  queued.attempts = 0;
  queued.last_error.clear();
  queued.result_json.clear();
  // The Tx has no clock: callers stamp created_at_ms; a delayed job without it
  // is stamped with its due time.
  if (queued.created_at_ms == 0) queued.created_at_ms = queued.next_attempt_at_ms;
  if (queued.updated_at_ms == 0) queued.updated_at_ms = queued.created_at_ms;
  return tx.put_job(queued);
}

namespace {

// What the store's commit listener touches; shared because the store keeps
// its listeners after the runner is gone.
struct Signal {
  std::mutex mutex;
  std::condition_variable cv;       // the scheduler, and stop() waiting for units in flight
  std::condition_variable work_cv;  // idle workers: one is woken per claimed job
  bool claim_requested = false;
};

std::string_view kind_name(JobOutcome::Kind kind) {
  switch (kind) {
    case JobOutcome::Kind::kSuccess: return "success";
    case JobOutcome::Kind::kPermanentFailure: return "permanent_failure";
    case JobOutcome::Kind::kTransientFailure: return "transient_failure";
  }
  return "unknown";
}

}  // namespace

class JobRunner::Impl {
 public:
  Impl(store::Store& store, const Clock& clock, Random& random, JobRunnerOptions options)
      : store_(store), clock_(clock), random_(random), options_(options), signal_(std::make_shared<Signal>()) {
    // Any commit may have enqueued jobs. Only a flag and a notify: the writer
    // thread must not block.
    store_.add_commit_listener([signal = signal_](const store::CommitInfo&) {
      std::lock_guard lock(signal->mutex);
      signal->claim_requested = true;
      signal->cv.notify_all();
    });
  }

  ~Impl() { stop(); }

  void register_kind(JobKindSpec spec) {
    std::lock_guard lock(signal_->mutex);
    OF_ASSERT_MSG(!started_, "register_kind before start()");
    OF_ASSERT(!spec.kind.empty() && spec.execute != nullptr);
    OF_ASSERT(spec.max_attempts >= 1 && spec.max_attempts <= 100);
    OF_ASSERT(spec.base_backoff_ms >= 0 && spec.max_backoff_ms >= 0 && spec.timeout_ms > 0);
    OF_ASSERT_MSG(kinds_.count(spec.kind) == 0, "job kind registered twice");
    std::string kind = spec.kind;
    kinds_.emplace(std::move(kind), std::move(spec));
  }

  Status start() {
    if (options_.worker_threads < 1 || options_.worker_threads > 256) {
      return Status::invalid("worker_threads must be in 1..256");
    }
    if (options_.claim_batch_max < 1 || options_.claim_batch_max > store::kListLimitMax) {
      return Status::invalid("claim_batch_max must be in 1.." + std::to_string(store::kListLimitMax));
    }
    if (options_.lease_margin_ms < 0 || options_.idle_poll_ms < 1) {
      return Status::invalid("lease_margin_ms must not be negative and idle_poll_ms must be positive");
    }
    if (options_.reclaim_running_at_start) OF_RETURN_IF_ERROR(reclaim_running());
    std::lock_guard lock(signal_->mutex);
    OF_ASSERT_MSG(!started_, "start() twice");
    started_ = true;
    signal_->claim_requested = true;
    for (int i = 0; i < options_.worker_threads; ++i) workers_.emplace_back([this] { work(); });
    scheduler_ = std::thread([this] { schedule(); });
    return Status::ok();
  }

  void stop() {
    {
      std::lock_guard lock(signal_->mutex);
      if (!started_ || stopping_) return;
      stopping_ = true;
      signal_->cv.notify_all();
      signal_->work_cv.notify_all();
    }
    scheduler_.join();  // returns once no claim unit is in flight
    for (auto& worker : workers_) worker.join();
    {
      // Outcome units in flight still call their done(), which touches this object.
      std::unique_lock lock(signal_->mutex);
      signal_->cv.wait(lock, [&] { return outcomes_in_flight_ == 0; });
    }
    release_unstarted();
  }

  void wake() {
    std::lock_guard lock(signal_->mutex);
    signal_->claim_requested = true;
    signal_->cv.notify_all();
  }

  JobRunnerStats stats() const {
    std::lock_guard lock(signal_->mutex);
    JobRunnerStats out = stats_;
    out.in_flight = static_cast<int64_t>(queue_.size()) + busy_ + outcomes_in_flight_;
    return out;
  }

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;

  // Jobs this runner may still take on: one per worker plus a claim batch of
  // claimed jobs waiting for a worker, less what is claimed, running, or
  // waiting for its outcome to commit. Bounds everything in flight.
  int free_capacity() const {
    return options_.worker_threads + options_.claim_batch_max - static_cast<int>(queue_.size()) - busy_ -
           claim_in_flight_ - outcomes_in_flight_;
  }

  // The scheduler: claims due jobs of registered kinds, as many as there are
  // idle workers, one claim unit at a time.
  void schedule() {
    const auto idle_poll = std::chrono::milliseconds(options_.idle_poll_ms);
    std::unique_lock lock(signal_->mutex);
    SteadyTime deadline = std::chrono::steady_clock::now();
    while (!stopping_) {
      bool timed_out = !signal_->cv.wait_until(lock, deadline, [&] {
        return stopping_ || (signal_->claim_requested && claim_in_flight_ == 0 && free_capacity() > 0);
      });
      if (stopping_) break;
      if (timed_out) {
        deadline = std::chrono::steady_clock::now() + idle_poll;
        if (claim_in_flight_ != 0 || free_capacity() <= 0) continue;  // a done() or a worker wakes us
      }
      signal_->claim_requested = false;
      int wanted = std::min(free_capacity(), options_.claim_batch_max);
      lock.unlock();
      // A read first, so that an idle runner commits nothing (a claim unit
      // that commits would wake this very loop again).
      Probe probe = probe_due(wanted);
      lock.lock();
      if (stopping_) break;
      if (probe.claimable > 0 && claim_in_flight_ == 0 && free_capacity() > 0) {
        claim_in_flight_ = std::min(free_capacity(), wanted);
        int claim_count = claim_in_flight_;
        lock.unlock();
        submit_claim(claim_count);
        lock.lock();
        deadline = std::chrono::steady_clock::now() + idle_poll;
        continue;
      }
      SteadyTime real_now = std::chrono::steady_clock::now();
      deadline = real_now + idle_poll;
      if (probe.next_due_ms && probe.claimable == 0) {
        // Due in the future (or due now but of an unregistered kind: then the
        // idle poll, not a spin). A manual test clock only makes this a poll.
        TimeMs wait_ms = *probe.next_due_ms - probe.now_ms;
        if (wait_ms > 0) deadline = std::min(deadline, real_now + std::chrono::milliseconds(wait_ms));
      }
    }
    // A claim unit in flight still calls its done(), which touches this object.
    signal_->cv.wait(lock, [&] { return claim_in_flight_ == 0; });
  }

  struct Probe {
    TimeMs now_ms = 0;
    int claimable = 0;
    std::optional<TimeMs> next_due_ms;
  };

  Probe probe_due(int wanted) {
    Probe probe;
    probe.now_ms = clock_.now_ms();
    Status status = store_.read([&](store::Tx& tx) -> Status {
      probe.claimable = 0;
      OF_ASSIGN_OR_RETURN(std::vector<core::Job> due, tx.due_jobs(probe.now_ms, claim_query_limit(wanted)));
      for (const auto& job : due) probe.claimable += kinds_.count(job.kind) != 0 ? 1 : 0;
      OF_ASSIGN_OR_RETURN(probe.next_due_ms, tx.next_job_at());
      return Status::ok();
    });
    if (!status) {
      OF_LOG_WARN("job runner probe failed: {}", status.to_string());
      probe = Probe{};
      probe.now_ms = clock_.now_ms();
    }
    return probe;
  }

  // Due jobs of kinds this runner does not run are skipped, so ask for more
  // than wanted (another process may run those kinds).
  int claim_query_limit(int wanted) const {
    return std::min(store::kListLimitMax, std::max(wanted, options_.claim_batch_max));
  }

  void submit_claim(int wanted) {
    auto claimed = std::make_shared<std::vector<core::Job>>();
    store_.submit(
        [this, wanted, claimed](store::Tx& tx) -> Status {
          claimed->clear();
          const TimeMs now_ms = clock_.now_ms();
          OF_ASSIGN_OR_RETURN(std::vector<core::Job> due, tx.due_jobs(now_ms, claim_query_limit(wanted)));
          for (auto& job : due) {
            if (static_cast<int>(claimed->size()) >= wanted) break;
            auto kind = kinds_.find(job.kind);
            if (kind == kinds_.end()) continue;  // never claim a kind we cannot run
            job.state = core::JobState::kRunning;
            job.attempts += 1;
            job.next_attempt_at_ms = now_ms + kind->second.timeout_ms + options_.lease_margin_ms;  // the lease
            job.updated_at_ms = now_ms;
            OF_RETURN_IF_ERROR(tx.put_job(job));
            claimed->push_back(std::move(job));
          }
          return Status::ok();
        },
        [this, wanted, claimed](const Status& status) {
          std::lock_guard lock(signal_->mutex);
          claim_in_flight_ = 0;
          if (status) {
            for (auto& job : *claimed) {
              queue_.push_back(std::move(job));
              signal_->work_cv.notify_one();
            }
            // A full claim may have left more due jobs behind.
            if (static_cast<int>(claimed->size()) >= wanted) signal_->claim_requested = true;
          } else {
            // The jobs stay as they were; the idle poll tries again.
            OF_LOG_WARN("job claim failed: {}", status.to_string());
          }
          signal_->cv.notify_all();
        });
  }

  void work() {
    std::unique_lock lock(signal_->mutex);
    while (true) {
      signal_->work_cv.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;  // claimed jobs not started are released by stop()
      core::Job job = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
      lock.unlock();
      run_one(job);
      lock.lock();
      --busy_;
      signal_->claim_requested = true;  // capacity freed: there may be due jobs waiting for it
      signal_->cv.notify_all();
    }
  }

  void run_one(const core::Job& job) {
    const JobKindSpec& spec = kinds_.at(job.kind);
    JobOutcome outcome;
    try {
      outcome = spec.execute(job);
    } catch (const std::exception& error) {
      outcome = JobOutcome::transient(std::string("executor threw: ") + error.what());
    } catch (...) {
      outcome = JobOutcome::transient("executor threw");
    }
    // The outcome commits asynchronously: the worker goes on to its next job
    // while the store batches this outcome with others into one commit.
    struct Recorded {
      bool stale = false;
      int counter = 0;  // which stat the committed outcome counts under
    };
    auto recorded = std::make_shared<Recorded>();
    {
      std::lock_guard lock(signal_->mutex);
      ++outcomes_in_flight_;
    }
    store_.submit(
        [this, &spec, job, outcome, recorded](store::Tx& tx) -> Status {
          recorded->stale = false;
          return record_outcome(tx, spec, job, outcome, &recorded->stale, &recorded->counter);
        },
        [this, job, outcome_kind = outcome.kind, recorded](const Status& status) {
          std::lock_guard lock(signal_->mutex);
          --outcomes_in_flight_;
          ++stats_.executed;
          signal_->claim_requested = true;  // capacity freed
          signal_->cv.notify_all();
          if (!status) {
            ++stats_.outcome_failures;
            OF_LOG_ERROR("job outcome not recorded job={} kind={} attempt={} outcome={}: {}; retried after the lease",
                         job.id.str(), job.kind, job.attempts, kind_name(outcome_kind), status.to_string());
            return;
          }
          if (recorded->stale) {
            ++stats_.stale_outcomes;
            OF_LOG_WARN("job outcome dropped job={} kind={} attempt={}: the lease expired and it was claimed again",
                        job.id.str(), job.kind, job.attempts);
            return;
          }
          switch (recorded->counter) {
            case kSucceeded: ++stats_.succeeded; break;
            case kFailedPermanent: ++stats_.failed_permanent; break;
            case kRetried: ++stats_.retried; break;
            case kDeadLettered: ++stats_.dead_lettered; break;
            default: break;
          }
        });
  }

  enum Counter { kNone, kSucceeded, kFailedPermanent, kRetried, kDeadLettered };

  // The outcome unit, on the writer thread. An on_outcome error fails the
  // whole unit: the job stays running and is retried when its lease expires.
  Status record_outcome(store::Tx& tx, const JobKindSpec& spec, const core::Job& claimed, const JobOutcome& outcome,
                        bool* stale, int* counter) {
    const TimeMs now_ms = clock_.now_ms();
    OF_ASSIGN_OR_RETURN(std::optional<core::Job> current, tx.get_job(claimed.id));
    if (!current || current->state != core::JobState::kRunning || current->attempts != claimed.attempts) {
      *stale = true;
      return Status::ok();
    }
    core::Job job = std::move(*current);
    job.updated_at_ms = now_ms;
    switch (outcome.kind) {
      case JobOutcome::Kind::kSuccess:
      case JobOutcome::Kind::kPermanentFailure:
        OF_RETURN_IF_ERROR(call_on_outcome(tx, spec, job, outcome));
        job.state = core::JobState::kDone;
        job.result_json = outcome.result_json;
        job.last_error = outcome.kind == JobOutcome::Kind::kSuccess ? std::string() : outcome.detail;
        *counter = outcome.kind == JobOutcome::Kind::kSuccess ? kSucceeded : kFailedPermanent;
        return tx.put_job(job);
      case JobOutcome::Kind::kTransientFailure:
        job.last_error = outcome.detail;
        if (job.attempts < spec.max_attempts) {
          int64_t backoff_ms = backoff_with_full_jitter_ms(random_, std::max(1, static_cast<int>(job.attempts)),
                                                           spec.base_backoff_ms, spec.max_backoff_ms);
          job.state = core::JobState::kQueued;
          job.next_attempt_at_ms = now_ms + std::max(outcome.retry_after_ms, backoff_ms);
          *counter = kRetried;
          return tx.put_job(job);
        }
        OF_RETURN_IF_ERROR(call_on_outcome(tx, spec, job, outcome));
        job.state = core::JobState::kDead;
        OF_RETURN_IF_ERROR(tx.put_job(job));
        {
          core::DeadLetter dead_letter;
          dead_letter.kind = core::DeadLetterKind::kJob;
          dead_letter.consumer = job.kind;
          dead_letter.reference = job.id.str();
          dead_letter.subject = job.subject;
          dead_letter.attempts = job.attempts;
          dead_letter.last_error = job.last_error;
          dead_letter.created_at_ms = now_ms;
          OF_RETURN_IF_ERROR(tx.insert_dead_letter(dead_letter).status());
        }
        *counter = kDeadLettered;
        OF_LOG_WARN("job dead-lettered job={} kind={} attempts={}: {}", job.id.str(), job.kind, job.attempts,
                    job.last_error);
        return Status::ok();
    }
    return Status::internal("unknown job outcome");
  }

  static Status call_on_outcome(store::Tx& tx, const JobKindSpec& spec, const core::Job& job,
                                const JobOutcome& outcome) {
    if (!spec.on_outcome) return Status::ok();
    try {
      return spec.on_outcome(tx, job, outcome);
    } catch (const std::exception& error) {
      return Status::internal(std::string("on_outcome threw: ") + error.what());
    }
  }

  // Before start(): every running job was claimed by a process that is gone.
  // Its attempt counts (the call may have reached the outside world, which
  // the idempotency key covers); it is due again now.
  Status reclaim_running() {
    int64_t reclaimed = 0;
    for (int round = 0; round < 10'000; ++round) {
      int64_t this_round = 0;
      OF_RETURN_IF_ERROR(store_.write([&](store::Tx& tx) -> Status {
        const TimeMs now_ms = clock_.now_ms();
        OF_ASSIGN_OR_RETURN(std::vector<core::Job> running,
                            tx.jobs_in_state(core::JobState::kRunning, store::kListLimitMax));
        for (auto& job : running) {
          job.state = core::JobState::kQueued;
          job.next_attempt_at_ms = now_ms;
          job.updated_at_ms = now_ms;
          OF_RETURN_IF_ERROR(tx.put_job(job));
          ++this_round;
        }
        return Status::ok();
      }));
      reclaimed += this_round;
      if (this_round == 0) break;
    }
    if (reclaimed > 0) OF_LOG_INFO("job runner: {} jobs left running by a previous process are due again", reclaimed);
    return Status::ok();
  }

  // After stop(): claimed jobs no worker started go back to the queue now,
  // rather than waiting out their lease.
  void release_unstarted() {
    std::vector<core::Job> unstarted;
    {
      std::lock_guard lock(signal_->mutex);
      unstarted.assign(queue_.begin(), queue_.end());
      queue_.clear();
    }
    if (unstarted.empty()) return;
    Status status = store_.write([&](store::Tx& tx) -> Status {
      const TimeMs now_ms = clock_.now_ms();
      for (const auto& claimed : unstarted) {
        OF_ASSIGN_OR_RETURN(std::optional<core::Job> current, tx.get_job(claimed.id));
        if (!current || current->state != core::JobState::kRunning || current->attempts != claimed.attempts) continue;
        current->state = core::JobState::kQueued;
        current->attempts -= 1;  // this attempt never ran
        current->next_attempt_at_ms = now_ms;
        current->updated_at_ms = now_ms;
        OF_RETURN_IF_ERROR(tx.put_job(*current));
      }
      return Status::ok();
    });
    if (!status) OF_LOG_WARN("job runner could not release unstarted jobs (their lease will): {}", status.to_string());
  }

  store::Store& store_;
  const Clock& clock_;
  Random& random_;
  const JobRunnerOptions options_;
  std::shared_ptr<Signal> signal_;
  std::unordered_map<std::string, JobKindSpec> kinds_;  // fixed after start()
  std::thread scheduler_;
  std::vector<std::thread> workers_;
  // Guarded by signal_->mutex.
  bool started_ = false;
  bool stopping_ = false;
  int claim_in_flight_ = 0;  // jobs a claim unit in flight may add to queue_
  std::deque<core::Job> queue_;
  int busy_ = 0;
  int outcomes_in_flight_ = 0;  // outcome units submitted, not yet committed
  JobRunnerStats stats_;
};

JobRunner::JobRunner(store::Store& store, const Clock& clock, Random& random, JobRunnerOptions options)
    : impl_(std::make_unique<Impl>(store, clock, random, options)) {}

JobRunner::~JobRunner() = default;

void JobRunner::register_kind(JobKindSpec spec) { impl_->register_kind(std::move(spec)); }
Status JobRunner::start() { return impl_->start(); }
void JobRunner::stop() { impl_->stop(); }
void JobRunner::wake() { impl_->wake(); }
JobRunnerStats JobRunner::stats() const { return impl_->stats(); }

}  // namespace of::jobs
