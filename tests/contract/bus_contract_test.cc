// The Bus port's contract: every bus adapter, on every store adapter, passes
// the same tests. Add an adapter to kBusKinds (and its factory to make_bus)
// and it is held to them.
//
// Time is a ManualClock: a retry becomes due only when a test moves the clock
// and wakes the bus. Waits are condition polls with generous timeouts.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/random.h"
#include "bus/bus.h"
#include "bus/embedded/embedded_bus.h"
#include "jobs/job_runner.h"
#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace of::bus {
namespace {

using namespace std::chrono_literals;

constexpr TimeMs kStartMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

enum class StoreKind { kMemory, kSqlite };
enum class BusKind { kEmbedded };

struct Param {
  StoreKind store;
  BusKind bus;
};

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  std::string name = info.param.store == StoreKind::kMemory ? "Memory" : "Sqlite";
  switch (info.param.bus) {
    case BusKind::kEmbedded:
      name += "Embedded";
      break;
  }
  return name;
}

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 20s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

struct Call {
  std::string subscription;
  int64_t seq = 0;
  std::string subject;
  std::string type;
};

// Every handler call in call order, including calls whose writes rolled back.
class Recorder {
 public:
  void add(const std::string& subscription, const core::Event& event) {
    std::lock_guard lock(mutex_);
    calls_.push_back({subscription, event.seq, event.subject, event.type});
  }
  std::vector<int64_t> seqs(const std::string& subscription, const std::string& subject = {}) const {
    std::lock_guard lock(mutex_);
    std::vector<int64_t> out;
    for (const auto& call : calls_) {
      if (call.subscription == subscription && (subject.empty() || call.subject == subject)) out.push_back(call.seq);
    }
    return out;
  }
  size_t count(const std::string& subscription, int64_t seq) const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& call : calls_) n += call.subscription == subscription && call.seq == seq ? 1 : 0;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
};

// A handler's visible effect: a counter kept in the store (a product's price),
// written in the handler's transaction.
Status bump_effect(store::Tx& tx, const std::string& key) {
  OF_ASSIGN_OR_RETURN(std::optional<core::Product> product, tx.get_product(Sku("fx-" + key)));
  if (!product) {
    product = core::Product{};
    product->id = Sku("fx-" + key);
    product->name = "effect counter";
    product->currency = core::Currency::parse("USD").value();
  }
  product->price_minor += 1;
  return tx.put_product(*product);
}

class BusContractTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override { store_ = open_store(); }

  void TearDown() override {
    if (runner_) runner_->stop();
    if (bus_) bus_->stop();
    if (store_) store_->stop();
  }

  std::unique_ptr<store::Store> open_store() {
    switch (GetParam().store) {
      case StoreKind::kMemory:
        return std::make_unique<store::MemoryStore>();
      case StoreKind::kSqlite: {
        store::SqliteStoreOptions options;
        options.path = (dir_.path() / "orderflow.db").string();
        options.synchronous_full = false;
        return std::make_unique<store::SqliteStore>(options);
      }
    }
    return nullptr;
  }

  std::unique_ptr<Bus> make_bus() {
    switch (GetParam().bus) {
      case BusKind::kEmbedded: {
        EmbeddedBusOptions options;
        options.batch_max = 4;  // small, so a backlog takes several dispatch units
        options.idle_poll_ms = 50;
        return std::make_unique<EmbeddedBus>(*store_, clock_, bus_random_, options);
      }
    }
    return nullptr;
  }

  // A subscription whose handler records each call and bumps its effect
  // counter; `fail` (may be empty) decides whether the handler then fails.
  SubscriptionSpec recording(const std::string& name, std::vector<std::string> types,
                             std::function<bool(const core::Event&)> fail = {}, RetryPolicy retry = {}) {
    SubscriptionSpec spec;
    spec.name = name;
    spec.event_types = std::move(types);
    spec.retry = retry;
    spec.handler = [this, name, fail = std::move(fail)](store::Tx& tx, const core::Event& event) -> Status {
      recorder_.add(name, event);
      OF_RETURN_IF_ERROR(bump_effect(tx, name));
      if (fail && fail(event)) return Status::unavailable("simulated failure of seq " + std::to_string(event.seq));
      return Status::ok();
    };
    return spec;
  }

  void start_store() {
    if (store_started_) return;
    ASSERT_TRUE(store_->start().is_ok());
    store_started_ = true;
  }

  void start_bus() {
    start_store();
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

  // Appends events in one commit; returns their seqs.
  std::vector<int64_t> publish_all(const std::vector<std::pair<std::string, std::string>>& type_subjects) {
    std::vector<int64_t> seqs;
    Status status = store_->write([&](store::Tx& tx) -> Status {
      seqs.clear();
      for (const auto& [type, subject] : type_subjects) {
        OF_ASSIGN_OR_RETURN(int64_t seq, tx.append_event(make_event(type, subject)));
        seqs.push_back(seq);
      }
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return seqs;
  }
  int64_t publish(const std::string& type, const std::string& subject) {
    auto seqs = publish_all({{type, subject}});
    return seqs.empty() ? 0 : seqs.front();
  }

  int64_t effect(const std::string& key) {
    int64_t value = -1;
    Status status = store_->read([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(std::optional<core::Product> product, tx.get_product(Sku("fx-" + key)));
      value = product ? product->price_minor : 0;
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return value;
  }

  int64_t checkpoint(const std::string& subscription) {
    int64_t value = -1;
    Status status = store_->read([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(value, tx.get_checkpoint(subscription));
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return value;
  }

  std::vector<core::DeadLetter> dead_letters() {
    std::vector<core::DeadLetter> out;
    Status status = store_->read([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(out, tx.list_dead_letters(true, 0, 100));
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return out;
  }

  // The head pending delivery of a subject, if any.
  std::optional<core::PendingDelivery> head_delivery(const std::string& subscription, const std::string& subject) {
    std::optional<core::PendingDelivery> out;
    Status status = store_->read([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(auto due, tx.due_pending_deliveries(subscription, kStartMs + 1'000'000'000, 100));
      for (auto& delivery : due) {
        if (delivery.subject == subject) out = delivery;
      }
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return out;
  }

  int64_t pending_count() {
    int64_t value = -1;
    Status status = store_->read([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(value, tx.count_pending_deliveries());
      return Status::ok();
    });
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    return value;
  }

  Status redrive(int64_t dead_letter_id) {
    return store_->write([&](store::Tx& tx) { return redrive_dead_letter(tx, dead_letter_id, clock_.now_ms()); });
  }

  testing::TempDir dir_;
  ManualClock clock_{kStartMs};
  Random bus_random_{7};
  Random id_random_{11};
  UuidV7Generator ids_{clock_, id_random_};
  Recorder recorder_;
  std::unique_ptr<store::Store> store_;
  bool store_started_ = false;
  std::unique_ptr<Bus> bus_;
  std::unique_ptr<jobs::JobRunner> runner_;
};

TEST_P(BusContractTest, EventsReachTheSubscriptionsThatWantThemInLogOrder) {
  bus_ = make_bus();
  bus_->subscribe(recording("inventory", {"OrderCreated"}));
  bus_->subscribe(recording("analytics", {}));
  bus_->subscribe(recording("payments", {"InventoryReserved", "OrderCancelled"}));
  start_bus();

  std::vector<core::Event> published;
  std::vector<std::pair<std::string, std::string>> batch;
  const char* types[] = {"OrderCreated", "InventoryReserved", "OrderCancelled", "LowStock"};
  std::vector<std::string> all_types;
  for (int i = 0; i < 40; ++i) {
    batch.emplace_back(types[i % 4], "order-" + std::to_string(i % 5));
    all_types.push_back(types[i % 4]);
    if (batch.size() == static_cast<size_t>(1 + i % 3)) {  // commits of 1, 2 and 3 events
      publish_all(batch);
      batch.clear();
    }
  }
  if (!batch.empty()) publish_all(batch);

  ASSERT_TRUE(eventually(
      [&] { return checkpoint("inventory") == 40 && checkpoint("analytics") == 40 && checkpoint("payments") == 40; }));
  std::vector<int64_t> want_inventory, want_analytics, want_payments;
  for (int64_t seq = 1; seq <= 40; ++seq) {
    const std::string& type = all_types[static_cast<size_t>(seq - 1)];
    want_analytics.push_back(seq);
    if (type == "OrderCreated") want_inventory.push_back(seq);
    if (type == "InventoryReserved" || type == "OrderCancelled") want_payments.push_back(seq);
  }
  EXPECT_EQ(recorder_.seqs("inventory"), want_inventory);
  EXPECT_EQ(recorder_.seqs("analytics"), want_analytics);
  EXPECT_EQ(recorder_.seqs("payments"), want_payments);
  EXPECT_EQ(effect("inventory"), static_cast<int64_t>(want_inventory.size()));
  // Stats follow each unit's done(), which runs just after its commit is visible.
  const int64_t delivered = 40 + static_cast<int64_t>(want_inventory.size() + want_payments.size());
  EXPECT_TRUE(eventually([&] { return bus_->stats().delivered == delivered; }));

  auto checkpoints = bus_->checkpoints();
  ASSERT_EQ(checkpoints.size(), 4u);
  EXPECT_EQ(checkpoints.back(), std::make_pair(std::string(kLogHeadName), int64_t{40}));
}

TEST_P(BusContractTest, EventsAppendedByAHandlerAreDeliveredToo) {
  bus_ = make_bus();
  SubscriptionSpec inventory;
  inventory.name = "inventory";
  inventory.event_types = {"OrderCreated"};
  inventory.handler = [this](store::Tx& tx, const core::Event& event) -> Status {
    return tx.append_event(make_event("InventoryReserved", event.subject)).status();
  };
  bus_->subscribe(std::move(inventory));
  bus_->subscribe(recording("payments", {"InventoryReserved"}));
  start_bus();

  publish("OrderCreated", "order-1");
  publish("OrderCreated", "order-2");
  ASSERT_TRUE(eventually([&] { return effect("payments") == 2; }));
  EXPECT_EQ(recorder_.seqs("payments", "order-1").size(), 1u);
  EXPECT_EQ(recorder_.seqs("payments", "order-2").size(), 1u);
}

TEST_P(BusContractTest, HandlerEffectsAndCheckpointCommitTogether) {
  bus_ = make_bus();
  bus_->subscribe(recording("counter", {}));
  start_bus();

  constexpr int kCommits = 60;
  std::thread publisher([&] {
    for (int i = 0; i < kCommits; ++i) publish_all({{"Tick", "s-" + std::to_string(i % 7)}, {"Tock", "s-x"}});
  });
  // Every snapshot shows as many effects as events behind the checkpoint.
  int snapshots = 0;
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    int64_t seen_checkpoint = -1, seen_effect = -2;
    Status status = store_->read([&](store::Tx& tx) -> Status {
      OF_ASSIGN_OR_RETURN(seen_checkpoint, tx.get_checkpoint("counter"));
      OF_ASSIGN_OR_RETURN(std::optional<core::Product> product, tx.get_product(Sku("fx-counter")));
      seen_effect = product ? product->price_minor : 0;
      return Status::ok();
    });
    ++snapshots;
    EXPECT_TRUE(status.is_ok()) << status.to_string();
    EXPECT_EQ(seen_checkpoint, seen_effect) << "snapshot " << snapshots;
    if (!status.is_ok() || seen_checkpoint != seen_effect || seen_checkpoint == 2 * kCommits) break;
    std::this_thread::sleep_for(100us);
  }
  publisher.join();
  EXPECT_TRUE(eventually([&] { return checkpoint("counter") == 2 * kCommits; }));
  EXPECT_EQ(effect("counter"), 2 * kCommits);
}

TEST_P(BusContractTest, FailedHandlerWritesRollBackAndTheCheckpointMovesOn) {
  bus_ = make_bus();
  RetryPolicy once;
  once.max_attempts = 1;
  bus_->subscribe(recording(
      "strict", {}, [](const core::Event& event) { return event.type == "Bad"; }, once));
  start_bus();

  publish("Bad", "order-1");
  publish("Good", "order-1");
  ASSERT_TRUE(eventually([&] { return checkpoint("strict") == 2 && dead_letters().size() == 1; }));
  EXPECT_EQ(effect("strict"), 1);  // the failed call's bump rolled back
  EXPECT_EQ(recorder_.seqs("strict"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(pending_count(), 0);
}

TEST_P(BusContractTest, RedeliveredEventHasNoSecondEffect) {
  bus_ = make_bus();
  std::unique_ptr<Bus> next_bus = make_bus();  // before the store starts: a bus adds a commit listener
  bus_->subscribe(recording("counter", {}));
  start_bus();
  for (int i = 0; i < 5; ++i) publish("Tick", "order-" + std::to_string(i));
  ASSERT_TRUE(eventually([&] { return checkpoint("counter") == 5; }));
  bus_->stop();

  // Lose the checkpoint, as after a crash between effect and checkpoint in a
  // transport that is not transactional: every event comes again.
  ASSERT_TRUE(store_->write([](store::Tx& tx) { return tx.set_checkpoint("counter", 0); }).is_ok());
  bus_ = std::move(next_bus);
  bus_->subscribe(recording("counter", {}));
  ASSERT_TRUE(bus_->start().is_ok());
  ASSERT_TRUE(eventually([&] { return bus_->stats().skipped_duplicates == 5; }));
  EXPECT_TRUE(eventually([&] { return checkpoint("counter") == 5; }));
  EXPECT_EQ(effect("counter"), 5);
  EXPECT_EQ(recorder_.seqs("counter").size(), 5u);  // the handler never ran again
  EXPECT_EQ(bus_->stats().delivered, 0);
}

TEST_P(BusContractTest, FailingEventRetriesWithBackoffThenDeadLettersWhileOthersFlow) {
  bus_ = make_bus();
  RetryPolicy retry;
  retry.max_attempts = 3;
  retry.base_backoff_ms = 1'000;
  retry.max_backoff_ms = 1'000;
  bus_->subscribe(recording(
      "shipping", {}, [](const core::Event& event) { return event.type == "Poison"; }, retry));
  start_bus();

  const int64_t a1 = publish("Poison", "order-a");
  const int64_t b1 = publish("Fine", "order-b");
  const int64_t a2 = publish("Fine", "order-a");
  const int64_t b2 = publish("Fine", "order-b");

  // order-b flows; order-a's later event waits behind its failing head.
  ASSERT_TRUE(
      eventually([&] { return checkpoint("shipping") == b2 && recorder_.seqs("shipping", "order-b").size() == 2; }));
  EXPECT_EQ(recorder_.seqs("shipping", "order-b"), (std::vector<int64_t>{b1, b2}));
  EXPECT_EQ(recorder_.seqs("shipping", "order-a"), (std::vector<int64_t>{a1}));
  EXPECT_EQ(pending_count(), 2);
  auto head = head_delivery("shipping", "order-a");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->event_seq, a1);
  EXPECT_EQ(head->attempts, 1);
  EXPECT_GE(head->next_attempt_at_ms, kStartMs);
  EXPECT_LE(head->next_attempt_at_ms, kStartMs + 1'000);
  EXPECT_NE(head->last_error.find("simulated failure"), std::string::npos);

  if (head->next_attempt_at_ms > clock_.now_ms()) {
    // Not retried before its time: a later event of another subject goes
    // through a dispatch round, and the head is still at one attempt.
    const int64_t c1 = publish("Fine", "order-c");
    ASSERT_TRUE(eventually([&] { return recorder_.count("shipping", c1) == 1; }));
    EXPECT_EQ(recorder_.count("shipping", a1), 1u);
  }

  for (size_t attempt = 2; attempt <= 3; ++attempt) {
    clock_.advance_ms(1'001);
    bus_->wake();
    ASSERT_TRUE(eventually([&] { return recorder_.count("shipping", a1) >= attempt; })) << attempt;
  }
  // Parked after the third attempt; the subject's next event proceeds.
  ASSERT_TRUE(eventually([&] { return recorder_.count("shipping", a2) == 1; }));
  EXPECT_EQ(recorder_.count("shipping", a1), 3u);
  EXPECT_EQ(recorder_.seqs("shipping", "order-a"), (std::vector<int64_t>{a1, a1, a1, a2}));
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].kind, core::DeadLetterKind::kEvent);
  EXPECT_EQ(letters[0].consumer, "shipping");
  EXPECT_EQ(letters[0].event_seq, a1);
  EXPECT_EQ(letters[0].subject, "order-a");
  EXPECT_EQ(letters[0].attempts, 3);
  EXPECT_FALSE(letters[0].reference.empty());
  EXPECT_NE(letters[0].last_error.find("simulated failure"), std::string::npos);
  EXPECT_FALSE(letters[0].redriven_at_ms.has_value());
  ASSERT_TRUE(eventually([&] { return pending_count() == 0; }));
  ASSERT_TRUE(eventually([&] { return bus_->stats().dead_lettered == 1; }));
  EXPECT_EQ(bus_->stats().failed_attempts, 3);
}

TEST_P(BusContractTest, RedriveRunsTheHandlerAgain) {
  bus_ = make_bus();
  std::atomic<bool> fixed{false};
  RetryPolicy once;
  once.max_attempts = 1;
  bus_->subscribe(recording(
      "billing", {}, [&fixed](const core::Event& event) { return event.type == "Poison" && !fixed.load(); }, once));
  start_bus();

  const int64_t seq = publish("Poison", "order-a");
  ASSERT_TRUE(eventually([&] { return dead_letters().size() == 1; }));
  EXPECT_EQ(effect("billing"), 0);
  const int64_t id = dead_letters()[0].id;

  fixed = true;
  clock_.advance_ms(5'000);
  ASSERT_TRUE(redrive(id).is_ok());
  bus_->wake();
  ASSERT_TRUE(eventually([&] { return effect("billing") == 1; }));
  EXPECT_EQ(recorder_.count("billing", seq), 2u);
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].redriven_at_ms, std::optional<TimeMs>(kStartMs + 5'000));
  EXPECT_TRUE(eventually([&] { return pending_count() == 0; }));

  EXPECT_EQ(redrive(id).code(), Code::kConflict);
  EXPECT_EQ(redrive(id + 1000).code(), Code::kNotFound);
}

TEST_P(BusContractTest, RestartResumesFromTheCheckpoint) {
  bus_ = make_bus();
  std::unique_ptr<Bus> next_bus = make_bus();  // before the store starts: a bus adds a commit listener
  bus_->subscribe(recording("fulfillment", {}));
  start_bus();
  for (int i = 0; i < 3; ++i) publish("Tick", "order-1");
  ASSERT_TRUE(eventually([&] { return checkpoint("fulfillment") == 3; }));
  bus_->stop();
  bus_.reset();

  // Published while no bus runs.
  publish("Tick", "order-1");
  publish("Tick", "order-2");
  if (GetParam().store == StoreKind::kSqlite) {  // a process restart: the file is the truth
    next_bus.reset();
    store_->stop();
    store_ = open_store();
    store_started_ = false;
    next_bus = make_bus();
  }
  bus_ = std::move(next_bus);
  bus_->subscribe(recording("fulfillment", {}));
  start_bus();
  ASSERT_TRUE(eventually([&] { return checkpoint("fulfillment") == 5; }));
  publish("Tick", "order-3");
  ASSERT_TRUE(eventually([&] { return checkpoint("fulfillment") == 6; }));
  EXPECT_EQ(recorder_.seqs("fulfillment"), (std::vector<int64_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(effect("fulfillment"), 6);
  EXPECT_TRUE(eventually([&] { return bus_->stats().delivered == 3; }));
}

// redrive_dead_letter is part of the port for jobs too: a dead job runs again.
TEST_P(BusContractTest, RedriveOfADeadJobRunsItAgain) {
  std::atomic<bool> fixed{false};
  std::atomic<int> executions{0};
  jobs::JobRunnerOptions options;
  options.worker_threads = 2;
  options.idle_poll_ms = 50;
  runner_ = std::make_unique<jobs::JobRunner>(*store_, clock_, bus_random_, options);
  jobs::JobKindSpec spec;
  spec.kind = "test.flaky";
  spec.max_attempts = 1;
  spec.execute = [&](const core::Job&) {
    ++executions;
    return fixed ? jobs::JobOutcome::success("{}") : jobs::JobOutcome::transient("provider down");
  };
  runner_->register_kind(std::move(spec));
  start_store();
  ASSERT_TRUE(runner_->start().is_ok());

  core::Job job;
  job.id = JobId("job-1");
  job.kind = "test.flaky";
  job.subject = "order-1";
  job.next_attempt_at_ms = clock_.now_ms();
  job.created_at_ms = clock_.now_ms();
  ASSERT_TRUE(store_->write([&](store::Tx& tx) { return jobs::enqueue_job(tx, job); }).is_ok());
  runner_->wake();
  ASSERT_TRUE(eventually([&] { return dead_letters().size() == 1; }));
  auto letter = dead_letters()[0];
  EXPECT_EQ(letter.kind, core::DeadLetterKind::kJob);
  EXPECT_EQ(letter.reference, "job-1");

  fixed = true;
  ASSERT_TRUE(redrive(letter.id).is_ok());
  runner_->wake();
  auto job_state = [&] {
    std::optional<core::Job> current;
    EXPECT_TRUE(store_
                    ->read([&](store::Tx& tx) -> Status {
                      OF_ASSIGN_OR_RETURN(current, tx.get_job(JobId("job-1")));
                      return Status::ok();
                    })
                    .is_ok());
    return current;
  };
  ASSERT_TRUE(eventually([&] { return job_state()->state == core::JobState::kDone; }));
  EXPECT_EQ(executions.load(), 2);
  EXPECT_EQ(job_state()->attempts, 1);
  EXPECT_EQ(redrive(letter.id).code(), Code::kConflict);
}

const Param kParams[] = {
    {StoreKind::kMemory, BusKind::kEmbedded},
    {StoreKind::kSqlite, BusKind::kEmbedded},
};

INSTANTIATE_TEST_SUITE_P(Adapters, BusContractTest, ::testing::ValuesIn(kParams), param_name);

}  // namespace
}  // namespace of::bus
