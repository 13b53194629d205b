// EmbeddedBus specifics on the memory store: batching, the inbox, the retry
// timer, stats and checkpoints(), option checks. The port's behaviour on
// every adapter is tests/contract/bus_contract_test.cc.
#include "bus/embedded/embedded_bus.h"

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

namespace of::bus {
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

class EmbeddedBusTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (bus_) bus_->stop();
    store_.stop();
  }

  void make_bus(EmbeddedBusOptions options = {}) {
    options.idle_poll_ms = 50;
    bus_ = std::make_unique<EmbeddedBus>(store_, clock_, random_, options);
  }

  // Records the seqs it is called with; fails when `fail` says so.
  SubscriptionSpec recording(const std::string& name, std::function<Status(const core::Event&)> outcome = {},
                             RetryPolicy retry = {}) {
    SubscriptionSpec spec;
    spec.name = name;
    spec.retry = retry;
    spec.handler = [this, outcome = std::move(outcome)](store::Tx&, const core::Event& event) -> Status {
      {
        std::lock_guard lock(mutex_);
        calls_.push_back(event.seq);
      }
      return outcome ? outcome(event) : Status::ok();
    };
    return spec;
  }

  void start() {
    ASSERT_TRUE(store_.start().is_ok());
    ASSERT_TRUE(bus_->start().is_ok());
  }

  core::Event make_event(const std::string& type, const std::string& subject) {
    core::Event event;
    event.id = EventId(ids_.next());
    event.type = type;
    event.source = "/orderflow/test";
    event.subject = subject;
    event.time_ms = clock_.now_ms();
    event.data_json = "{}";
    return event;
  }

  int64_t publish(const core::Event& event) {
    int64_t seq = 0;
    Status status = store_.write([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(seq, tx.append_event(event));
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return seq;
  }
  int64_t publish(const std::string& type, const std::string& subject) { return publish(make_event(type, subject)); }

  std::vector<int64_t> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  int64_t checkpoint(const std::string& subscription) {
    int64_t value = -1;
    EXPECT_TRUE(store_
                    .read([&](store::Tx& tx) -> Status {
                      OF_ASSIGN_OR_RETURN(value, tx.get_checkpoint(subscription));
                      return Status::ok();
                    })
                    .is_ok());
    return value;
  }

  ManualClock clock_{kStartMs};
  Random random_{3};
  Random id_random_{5};
  UuidV7Generator ids_{clock_, id_random_};
  store::MemoryStore store_;
  std::unique_ptr<EmbeddedBus> bus_;
  std::mutex mutex_;
  std::vector<int64_t> calls_;
};

TEST_F(EmbeddedBusTest, ABacklogLongerThanABatchIsDeliveredInOrder) {
  EmbeddedBusOptions options;
  options.batch_max = 2;
  make_bus(options);
  bus_->subscribe(recording("all"));
  ASSERT_TRUE(store_.start().is_ok());
  std::vector<int64_t> want;
  for (int i = 0; i < 25; ++i) want.push_back(publish("Tick", "order-" + std::to_string(i % 3)));
  ASSERT_TRUE(bus_->start().is_ok());
  ASSERT_TRUE(eventually([&] { return checkpoint("all") == 25; }));
  EXPECT_EQ(calls(), want);
  // Stats follow the unit's done(), which runs just after the commit is visible.
  EXPECT_TRUE(eventually([&] { return bus_->stats().delivered == 25; }));
}

TEST_F(EmbeddedBusTest, AnEventAlreadyInTheInboxIsSkippedAndCounted) {
  make_bus();
  bus_->subscribe(recording("once"));
  ASSERT_TRUE(store_.start().is_ok());
  core::Event seen = make_event("Tick", "order-1");
  ASSERT_TRUE(store_
                  .write([&](store::Tx& tx) -> Status {
                    OF_ASSIGN_OR_RETURN(bool inserted, tx.inbox_insert("once", seen.id));
                    return inserted ? Status::ok() : Status::internal("inbox entry existed");
                  })
                  .is_ok());
  publish(seen);
  const int64_t fresh = publish("Tick", "order-1");
  ASSERT_TRUE(bus_->start().is_ok());
  ASSERT_TRUE(eventually([&] { return checkpoint("once") == fresh; }));
  EXPECT_EQ(calls(), (std::vector<int64_t>{fresh}));
  ASSERT_TRUE(eventually([&] { return bus_->stats().delivered == 1; }));
  EXPECT_EQ(bus_->stats().skipped_duplicates, 1);
}

TEST_F(EmbeddedBusTest, AThrowingHandlerIsAFailedAttempt) {
  make_bus();
  RetryPolicy once;
  once.max_attempts = 1;
  bus_->subscribe(recording(
      "thrower", [](const core::Event&) -> Status { throw std::runtime_error("kaboom"); }, once));
  start();
  publish("Tick", "order-1");
  ASSERT_TRUE(eventually([&] { return bus_->stats().dead_lettered == 1; }));
  std::vector<core::DeadLetter> letters;
  ASSERT_TRUE(store_
                  .read([&](store::Tx& tx) -> Status {
                    OF_ASSIGN_OR_RETURN(letters, tx.list_dead_letters(true, 0, 10));
                    return Status::ok();
                  })
                  .is_ok());
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_NE(letters[0].last_error.find("kaboom"), std::string::npos);
  EXPECT_EQ(bus_->stats().failed_attempts, 1);
}

TEST_F(EmbeddedBusTest, ARetryFiresOnItsTimerWithoutAWake) {
  make_bus();
  RetryPolicy retry;
  retry.max_attempts = 5;
  retry.base_backoff_ms = 20;
  retry.max_backoff_ms = 20;
  std::atomic<int> failures_left{1};
  bus_->subscribe(recording(
      "timer",
      [&](const core::Event&) -> Status {
        return failures_left.fetch_sub(1) > 0 ? Status::unavailable("not yet") : Status::ok();
      },
      retry));
  start();
  const int64_t seq = publish("Tick", "order-1");
  ASSERT_TRUE(eventually([&] { return bus_->stats().failed_attempts == 1; }));
  clock_.advance_ms(1'000);  // no wake(): the dispatcher's timer or poll must notice
  ASSERT_TRUE(eventually([&] { return bus_->stats().delivered == 1; }));
  EXPECT_EQ(calls(), (std::vector<int64_t>{seq, seq}));
}

TEST_F(EmbeddedBusTest, CheckpointsListsSubscriptionsThenTheLogHead) {
  make_bus();
  SubscriptionSpec picky = recording("picky");
  picky.event_types = {"Wanted"};
  bus_->subscribe(std::move(picky));
  bus_->subscribe(recording("everything"));
  start();
  publish("Unwanted", "order-1");
  publish("Wanted", "order-1");
  publish("Unwanted", "order-1");
  ASSERT_TRUE(eventually([&] { return checkpoint("picky") == 3 && checkpoint("everything") == 3; }));
  using Entry = std::pair<std::string, int64_t>;
  EXPECT_EQ(bus_->checkpoints(),
            (std::vector<Entry>{{"picky", 3}, {"everything", 3}, {std::string(kLogHeadName), 3}}));
  // Unwanted types move the checkpoint without a call.
  EXPECT_TRUE(eventually([&] { return bus_->stats().delivered == 4; }));
}

TEST_F(EmbeddedBusTest, StartRejectsOptionsOutOfBounds) {
  EmbeddedBusOptions options;
  options.batch_max = 0;
  bus_ = std::make_unique<EmbeddedBus>(store_, clock_, random_, options);
  EXPECT_EQ(bus_->start().code(), Code::kInvalidArgument);
  options.batch_max = store::kListLimitMax + 1;
  bus_ = std::make_unique<EmbeddedBus>(store_, clock_, random_, options);
  EXPECT_EQ(bus_->start().code(), Code::kInvalidArgument);
}

TEST_F(EmbeddedBusTest, StopWaitsForTheUnitInFlightAndIsIdempotent) {
  make_bus();
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
  bus_->subscribe(recording("slow", [&](const core::Event&) -> Status {
    entered = true;
    while (!release) std::this_thread::sleep_for(1ms);
    return Status::ok();
  }));
  start();
  publish("Tick", "order-1");
  ASSERT_TRUE(eventually([&] { return entered.load(); }));
  std::thread stopper([&] { bus_->stop(); });
  std::this_thread::sleep_for(20ms);  // stop() must still be waiting: its unit has not committed
  release = true;
  stopper.join();
  EXPECT_EQ(bus_->stats().delivered, 1);  // the unit's done() ran before stop() returned
  bus_->stop();
}

}  // namespace
}  // namespace of::bus
