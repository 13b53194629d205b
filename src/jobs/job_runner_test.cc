// JobRunner on the memory store, with a manual clock: a retry or a delayed
// job becomes due only when a test moves the clock and wakes the runner.
#include "jobs/job_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/memory/memory_store.h"

namespace of::jobs {
namespace {

using namespace std::chrono_literals;

constexpr TimeMs kStartMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

struct OutcomeCall {
  std::string job_id;
  JobOutcome::Kind kind;
  int32_t attempts = 0;
};

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JobRunnerOptions options;
    options.worker_threads = 3;
    options.idle_poll_ms = 50;
    options.lease_margin_ms = 1'000;
    runner_ = std::make_unique<JobRunner>(store_, clock_, random_, options);
  }

  void TearDown() override {
    runner_->stop();
    store_.stop();
  }

  // A kind whose executor answers with `execute` and whose on_outcome records
  // the call and emits an event in the outcome transaction.
  void register_kind(const std::string& kind, std::function<JobOutcome(const core::Job&)> execute,
                     int max_attempts = 3) {
    JobKindSpec spec;
    spec.kind = kind;
    spec.max_attempts = max_attempts;
    spec.base_backoff_ms = 100;
    spec.max_backoff_ms = 1'000;
    spec.timeout_ms = 2'000;
    spec.execute = [this, execute = std::move(execute)](const core::Job& job) {
      ++executions_;
      return execute(job);
    };
    spec.on_outcome = [this](store::Tx& tx, const core::Job& job, const JobOutcome& outcome) -> Status {
      if (fail_on_outcome_) return Status::unavailable("on_outcome refused");
      {
        std::lock_guard lock(mutex_);
        outcomes_.push_back({job.id.str(), outcome.kind, job.attempts});
      }
      core::Event event;
      event.id = EventId("evt-" + job.id.str() + "-" + std::to_string(job.attempts));
      event.type = "JobFinished";
      event.subject = job.subject;
      return tx.append_event(event).status();
    };
    runner_->register_kind(std::move(spec));
  }

  void start() {
    ASSERT_TRUE(store_.start().is_ok());
    ASSERT_TRUE(runner_->start().is_ok());
  }

  core::Job make_job(const std::string& id, const std::string& kind, TimeMs due_ms) {
    core::Job job;
    job.id = JobId(id);
    job.kind = kind;
    job.subject = "order-1";
    job.payload_json = R"({"amount_minor":1000})";
    job.next_attempt_at_ms = due_ms;
    job.created_at_ms = clock_.now_ms();
    return job;
  }

  void enqueue(const core::Job& job) {
    Status status = store_.write([&](store::Tx& tx) { return enqueue_job(tx, job); });
    ASSERT_TRUE(status.is_ok()) << status.to_string();
    runner_->wake();
  }

  std::optional<core::Job> get_job(const std::string& id) {
    std::optional<core::Job> job;
    EXPECT_TRUE(store_
                    .read([&](store::Tx& tx) -> Status {
                      OF_ASSIGN_OR_RETURN(job, tx.get_job(JobId(id)));
                      return Status::ok();
                    })
                    .is_ok());
    return job;
  }

  bool in_state(const std::string& id, core::JobState state) {
    auto job = get_job(id);
    return job && job->state == state;
  }

  std::vector<OutcomeCall> outcomes() {
    std::lock_guard lock(mutex_);
    return outcomes_;
  }

  std::vector<core::DeadLetter> dead_letters() {
    std::vector<core::DeadLetter> out;
    EXPECT_TRUE(store_
                    .read([&](store::Tx& tx) -> Status {
                      OF_ASSIGN_OR_RETURN(out, tx.list_dead_letters(true, 0, 100));
                      return Status::ok();
                    })
                    .is_ok());
    return out;
  }

  int64_t event_count() {
    int64_t count = -1;
    EXPECT_TRUE(store_
                    .read([&](store::Tx& tx) -> Status {
                      OF_ASSIGN_OR_RETURN(count, tx.last_event_seq());
                      return Status::ok();
                    })
                    .is_ok());
    return count;
  }

  // Moves the clock past any backoff and wakes the runner, one attempt at a
  // time, until `done`.
  bool drive_until(const std::function<bool()>& done) {
    for (int round = 0; round < 50 && !done(); ++round) {
      const int64_t executed = runner_->stats().executed;
      clock_.advance_ms(1'001);
      runner_->wake();
      if (!eventually([&] { return done() || runner_->stats().executed > executed; })) return false;
    }
    return done();
  }

  ManualClock clock_{kStartMs};
  Random random_{9};
  store::MemoryStore store_;
  std::unique_ptr<JobRunner> runner_;
  std::atomic<int> executions_{0};
  std::atomic<bool> fail_on_outcome_{false};
  std::mutex mutex_;
  std::vector<OutcomeCall> outcomes_;
};

TEST_F(JobRunnerTest, SuccessRecordsTheOutcomeOnce) {
  register_kind("test.ok", [](const core::Job& job) {
    EXPECT_EQ(job.attempts, 1);
    EXPECT_EQ(job.state, core::JobState::kRunning);
    return JobOutcome::success(R"({"reference":"ch_1"})");
  });
  start();
  enqueue(make_job("job-1", "test.ok", kStartMs));
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  auto job = get_job("job-1");
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(job->result_json, R"({"reference":"ch_1"})");
  EXPECT_TRUE(job->last_error.empty());
  ASSERT_EQ(outcomes().size(), 1u);
  EXPECT_EQ(outcomes()[0].kind, JobOutcome::Kind::kSuccess);
  EXPECT_EQ(event_count(), 1);  // on_outcome's event committed with the job's state
  EXPECT_TRUE(eventually([&] { return runner_->stats().succeeded == 1; }));
  EXPECT_EQ(runner_->stats().executed, 1);
  EXPECT_EQ(executions_.load(), 1);
}

TEST_F(JobRunnerTest, TransientFailureIsRetriedAfterBackoffThenSucceeds) {
  register_kind("test.flaky", [](const core::Job& job) {
    if (job.attempts == 1) {
      JobOutcome outcome = JobOutcome::transient("gateway timeout");
      outcome.retry_after_ms = 5'000;
      return outcome;
    }
    return JobOutcome::success();
  });
  start();
  enqueue(make_job("job-1", "test.flaky", kStartMs));
  ASSERT_TRUE(eventually([&] {
    auto job = get_job("job-1");
    return job && job->state == core::JobState::kQueued && job->attempts == 1;
  }));
  auto job = get_job("job-1");
  EXPECT_EQ(job->last_error, "gateway timeout");
  EXPECT_GE(job->next_attempt_at_ms, kStartMs + 5'000);  // Retry-After beats a shorter backoff
  EXPECT_TRUE(outcomes().empty());

  clock_.advance_ms(5'000);
  runner_->wake();
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  EXPECT_EQ(get_job("job-1")->attempts, 2);
  ASSERT_EQ(outcomes().size(), 1u);
  EXPECT_EQ(outcomes()[0].kind, JobOutcome::Kind::kSuccess);
  EXPECT_EQ(outcomes()[0].attempts, 2);
  EXPECT_TRUE(eventually([&] { return runner_->stats().succeeded == 1; }));
  EXPECT_EQ(runner_->stats().retried, 1);
}

TEST_F(JobRunnerTest, PermanentFailureIsNotRetried) {
  register_kind("test.declined", [](const core::Job&) { return JobOutcome::permanent("card declined"); });
  start();
  enqueue(make_job("job-1", "test.declined", kStartMs));
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  EXPECT_EQ(get_job("job-1")->last_error, "card declined");
  clock_.advance_ms(100'000);
  runner_->wake();
  // A second job goes through a claim round: the first was not claimed again.
  enqueue(make_job("job-2", "test.declined", clock_.now_ms()));
  ASSERT_TRUE(eventually([&] { return in_state("job-2", core::JobState::kDone); }));
  EXPECT_EQ(executions_.load(), 2);
  ASSERT_EQ(outcomes().size(), 2u);
  EXPECT_EQ(outcomes()[0].kind, JobOutcome::Kind::kPermanentFailure);
  EXPECT_TRUE(dead_letters().empty());
  EXPECT_TRUE(eventually([&] { return runner_->stats().failed_permanent == 2; }));
}

TEST_F(JobRunnerTest, ExhaustedRetriesDeadLetterAndRecordTheOutcome) {
  register_kind("test.down", [](const core::Job&) { return JobOutcome::transient("provider down"); });
  start();
  enqueue(make_job("job-1", "test.down", kStartMs));
  ASSERT_TRUE(drive_until([&] { return in_state("job-1", core::JobState::kDead); }));
  EXPECT_EQ(executions_.load(), 3);
  auto job = get_job("job-1");
  EXPECT_EQ(job->attempts, 3);
  EXPECT_EQ(job->last_error, "provider down");
  ASSERT_EQ(outcomes().size(), 1u);
  EXPECT_EQ(outcomes()[0].kind, JobOutcome::Kind::kTransientFailure);
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].kind, core::DeadLetterKind::kJob);
  EXPECT_EQ(letters[0].consumer, "test.down");
  EXPECT_EQ(letters[0].reference, "job-1");
  EXPECT_EQ(letters[0].subject, "order-1");
  EXPECT_EQ(letters[0].attempts, 3);
  EXPECT_EQ(letters[0].last_error, "provider down");
  EXPECT_TRUE(eventually([&] { return runner_->stats().dead_lettered == 1; }));
  EXPECT_EQ(runner_->stats().retried, 2);
}

TEST_F(JobRunnerTest, AThrowingExecutorIsATransientFailure) {
  register_kind(
      "test.throws", [](const core::Job&) -> JobOutcome { throw std::runtime_error("socket closed"); }, 1);
  start();
  enqueue(make_job("job-1", "test.throws", kStartMs));
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDead); }));
  EXPECT_NE(get_job("job-1")->last_error.find("socket closed"), std::string::npos);
}

TEST_F(JobRunnerTest, ARunningJobPastItsLeaseIsExecutedAgain) {
  register_kind("test.ok", [](const core::Job&) { return JobOutcome::success(); });
  ASSERT_TRUE(store_.start().is_ok());
  // A runner died mid-job: running, attempt 1, its lease ran out a moment ago.
  core::Job orphan = make_job("job-1", "test.ok", kStartMs - 1);
  orphan.state = core::JobState::kRunning;
  orphan.attempts = 1;
  ASSERT_TRUE(store_.write([&](store::Tx& tx) { return tx.put_job(orphan); }).is_ok());
  ASSERT_TRUE(runner_->start().is_ok());
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  EXPECT_EQ(get_job("job-1")->attempts, 2);
  EXPECT_EQ(executions_.load(), 1);
}

TEST_F(JobRunnerTest, ReclaimAtStartRunsJobsLeftRunningWithoutWaitingForTheirLease) {
  JobRunnerOptions options;
  options.worker_threads = 2;
  options.idle_poll_ms = 50;
  options.reclaim_running_at_start = true;
  runner_ = std::make_unique<JobRunner>(store_, clock_, random_, options);  // the fixture's was never started
  register_kind("test.ok", [](const core::Job&) { return JobOutcome::success(); });
  ASSERT_TRUE(store_.start().is_ok());
  // The previous process died mid-job; its lease has an hour to run.
  core::Job orphan = make_job("job-1", "test.ok", kStartMs + 3'600'000);
  orphan.state = core::JobState::kRunning;
  orphan.attempts = 1;
  ASSERT_TRUE(store_.write([&](store::Tx& tx) { return tx.put_job(orphan); }).is_ok());
  ASSERT_TRUE(runner_->start().is_ok());
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  EXPECT_EQ(get_job("job-1")->attempts, 2);
  EXPECT_EQ(executions_.load(), 1);
}

TEST_F(JobRunnerTest, AnOutcomeAfterTheLeaseWasTakenOverIsDropped) {
  std::atomic<bool> release_first{false};
  register_kind("test.slow", [&](const core::Job& job) {
    if (job.attempts == 1) {
      while (!release_first) std::this_thread::sleep_for(1ms);
      return JobOutcome::transient("too late");
    }
    return JobOutcome::success();
  });
  start();
  enqueue(make_job("job-1", "test.slow", kStartMs));
  ASSERT_TRUE(eventually([&] { return executions_.load() == 1; }));
  clock_.advance_ms(2'000 + 1'000 + 1);  // timeout + lease margin
  runner_->wake();
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  release_first = true;
  ASSERT_TRUE(eventually([&] { return runner_->stats().stale_outcomes == 1; }));
  auto job = get_job("job-1");
  EXPECT_EQ(job->state, core::JobState::kDone);
  EXPECT_EQ(job->attempts, 2);
  ASSERT_EQ(outcomes().size(), 1u);
  EXPECT_EQ(outcomes()[0].attempts, 2);
}

TEST_F(JobRunnerTest, AFailingOnOutcomeLeavesTheJobToItsLease) {
  register_kind("test.ok", [](const core::Job&) { return JobOutcome::success(); });
  fail_on_outcome_ = true;
  start();
  enqueue(make_job("job-1", "test.ok", kStartMs));
  ASSERT_TRUE(eventually([&] { return runner_->stats().outcome_failures == 1; }));
  auto job = get_job("job-1");
  EXPECT_EQ(job->state, core::JobState::kRunning);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(event_count(), 0);

  fail_on_outcome_ = false;
  clock_.advance_ms(2'000 + 1'000 + 1);
  runner_->wake();
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  EXPECT_EQ(get_job("job-1")->attempts, 2);
  EXPECT_EQ(outcomes().size(), 1u);
}

TEST_F(JobRunnerTest, EnqueuingTwiceIsHarmless) {
  register_kind("test.ok", [](const core::Job&) { return JobOutcome::success(); });
  ASSERT_TRUE(store_.start().is_ok());
  core::Job first = make_job("job-1", "test.ok", kStartMs);
  core::Job second = first;
  second.payload_json = R"({"amount_minor":999999})";
  ASSERT_TRUE(store_
                  .write([&](store::Tx& tx) -> Status {
                    OF_RETURN_IF_ERROR(enqueue_job(tx, first));
                    return enqueue_job(tx, second);
                  })
                  .is_ok());
  ASSERT_TRUE(runner_->start().is_ok());
  ASSERT_TRUE(eventually([&] { return in_state("job-1", core::JobState::kDone); }));
  enqueue(second);  // again, after it ran: still nothing
  enqueue(make_job("job-2", "test.ok", clock_.now_ms()));
  ASSERT_TRUE(eventually([&] { return in_state("job-2", core::JobState::kDone); }));
  EXPECT_EQ(executions_.load(), 2);
  auto job = get_job("job-1");
  EXPECT_EQ(job->payload_json, first.payload_json);
  EXPECT_EQ(job->attempts, 1);
}

TEST_F(JobRunnerTest, ADelayedJobDoesNotRunBeforeItsTime) {
  register_kind("test.ok", [](const core::Job&) { return JobOutcome::success(); });
  start();
  enqueue(make_job("later", "test.ok", kStartMs + 60'000));
  enqueue(make_job("now", "test.ok", kStartMs));
  ASSERT_TRUE(eventually([&] { return in_state("now", core::JobState::kDone); }));
  EXPECT_TRUE(in_state("later", core::JobState::kQueued));
  EXPECT_EQ(executions_.load(), 1);

  clock_.advance_ms(59'999);
  enqueue(make_job("probe", "test.ok", clock_.now_ms()));
  ASSERT_TRUE(eventually([&] { return in_state("probe", core::JobState::kDone); }));
  EXPECT_TRUE(in_state("later", core::JobState::kQueued));

  clock_.advance_ms(1);
  runner_->wake();
  ASSERT_TRUE(eventually([&] { return in_state("later", core::JobState::kDone); }));
  EXPECT_EQ(executions_.load(), 3);
}

TEST_F(JobRunnerTest, UnknownKindsAreNeverClaimed) {
  register_kind("test.ok", [](const core::Job&) { return JobOutcome::success(); });
  start();
  enqueue(make_job("foreign", "someone.else", kStartMs));
  enqueue(make_job("mine", "test.ok", kStartMs));
  ASSERT_TRUE(eventually([&] { return in_state("mine", core::JobState::kDone); }));
  auto foreign = get_job("foreign");
  EXPECT_EQ(foreign->state, core::JobState::kQueued);
  EXPECT_EQ(foreign->attempts, 0);
}

TEST_F(JobRunnerTest, ManyJobsOnAFewWorkers) {
  std::atomic<int> running{0};
  std::atomic<int> max_running{0};
  register_kind("test.ok", [&](const core::Job&) {
    int now_running = ++running;
    int seen = max_running.load();
    while (now_running > seen && !max_running.compare_exchange_weak(seen, now_running)) {
    }
    std::this_thread::sleep_for(1ms);
    --running;
    return JobOutcome::success();
  });
  start();
  ASSERT_TRUE(store_
                  .write([&](store::Tx& tx) -> Status {
                    for (int i = 0; i < 40; ++i) {
                      OF_RETURN_IF_ERROR(enqueue_job(tx, make_job("job-" + std::to_string(i), "test.ok", kStartMs)));
                    }
                    return Status::ok();
                  })
                  .is_ok());
  runner_->wake();
  ASSERT_TRUE(eventually([&] { return runner_->stats().succeeded == 40; }));
  EXPECT_EQ(executions_.load(), 40);
  EXPECT_LE(max_running.load(), 3);
  EXPECT_TRUE(eventually([&] { return runner_->stats().in_flight == 0; }));
}

TEST_F(JobRunnerTest, EnqueueRejectsAJobWithoutIdOrKind) {
  ASSERT_TRUE(store_.start().is_ok());
  core::Job job = make_job("", "test.ok", kStartMs);
  EXPECT_EQ(store_.write([&](store::Tx& tx) { return enqueue_job(tx, job); }).code(), Code::kInvalidArgument);
}

TEST_F(JobRunnerTest, StartRejectsOptionsOutOfBounds) {
  JobRunnerOptions options;
  options.worker_threads = 0;
  JobRunner runner(store_, clock_, random_, options);
  EXPECT_EQ(runner.start().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace of::jobs
