#include "bus/embedded/embedded_bus.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/log.h"

namespace of::bus {

namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// With more failing subjects than one query lists, how soon to look again.
constexpr int64_t kManyHeadsPollMs = 1'000;

// What the store's commit listener touches. It is shared, not owned by the
// bus, because the store keeps its listeners after the bus is gone.
struct Signal {
  std::mutex mutex;
  std::condition_variable cv;
  int64_t head_seq = 0;  // the newest committed event seq seen
  bool wake_pending = false;
};

// What one dispatch unit learned; applied by its done() only if it committed.
struct UnitResult {
  int64_t checkpoint = 0;
  int64_t head_seq = 0;
  std::optional<TimeMs> next_retry_at_ms;
  BusStats stats;
};

}  // namespace

class EmbeddedBus::Impl {
 public:
  Impl(store::Store& store, const Clock& clock, Random& random, EmbeddedBusOptions options)
      : store_(store), clock_(clock), random_(random), options_(options), signal_(std::make_shared<Signal>()) {
    // Only records the head and wakes the dispatcher: the writer thread must not block.
    store_.add_commit_listener([signal = signal_](const store::CommitInfo& info) {
      std::lock_guard lock(signal->mutex);
      if (!info.events.empty()) signal->head_seq = std::max(signal->head_seq, info.events.back().seq);
      signal->wake_pending = true;
      signal->cv.notify_all();
    });
  }

  ~Impl() { stop(); }

  void subscribe(SubscriptionSpec spec) {
    std::lock_guard lock(signal_->mutex);
    OF_ASSERT_MSG(!started_, "subscribe before start()");
    OF_ASSERT(!spec.name.empty() && spec.name != kLogHeadName);
    OF_ASSERT(spec.handler != nullptr);
    OF_ASSERT(spec.retry.max_attempts >= 1 && spec.retry.max_attempts <= 100);
    OF_ASSERT(spec.retry.base_backoff_ms >= 0 && spec.retry.max_backoff_ms >= 0);
    for (const auto& sub : subscriptions_) OF_ASSERT_MSG(sub->spec.name != spec.name, "duplicate subscription");
    auto sub = std::make_unique<Subscription>();
    sub->types.insert(spec.event_types.begin(), spec.event_types.end());
    sub->spec = std::move(spec);
    subscriptions_.push_back(std::move(sub));
  }

  Status start() {
    if (options_.batch_max < 1 || options_.batch_max > store::kListLimitMax) {
      return Status::invalid("batch_max must be in 1.." + std::to_string(store::kListLimitMax));
    }
    if (options_.retry_batch_max < 1 || options_.retry_batch_max > store::kListLimitMax) {
      return Status::invalid("retry_batch_max must be in 1.." + std::to_string(store::kListLimitMax));
    }
    if (options_.idle_poll_ms < 1 || options_.unit_error_backoff_ms < 0) {
      return Status::invalid("idle_poll_ms must be positive and unit_error_backoff_ms not negative");
    }
    std::lock_guard lock(signal_->mutex);
    OF_ASSERT_MSG(!started_, "start() twice");
    started_ = true;
    refresh_requested_ = true;
    thread_ = std::thread([this] { run(); });
    return Status::ok();
  }

  void stop() {
    {
      std::lock_guard lock(signal_->mutex);
      if (!started_ || stopping_) return;
      stopping_ = true;
      signal_->cv.notify_all();
    }
    thread_.join();
  }

  void wake() {
    std::lock_guard lock(signal_->mutex);
    refresh_requested_ = true;
    signal_->wake_pending = true;
    signal_->cv.notify_all();
  }

  BusStats stats() const {
    std::lock_guard lock(signal_->mutex);
    return stats_;
  }

  std::vector<std::pair<std::string, int64_t>> checkpoints() {
    std::vector<std::pair<std::string, int64_t>> out;
    Status status = store_.read([&](store::Tx& tx) -> Status {
      out.clear();
      for (const auto& sub : subscriptions_) {
        OF_ASSIGN_OR_RETURN(int64_t checkpoint, tx.get_checkpoint(sub->spec.name));
        out.emplace_back(sub->spec.name, checkpoint);
      }
      OF_ASSIGN_OR_RETURN(int64_t head, tx.last_event_seq());
      out.emplace_back(std::string(kLogHeadName), head);
      return Status::ok();
    });
    if (!status) {
      OF_LOG_WARN("bus checkpoints read failed: {}", status.to_string());
      out.clear();
    }
    return out;
  }

 private:
  struct Subscription {
    SubscriptionSpec spec;  // immutable after start()
    std::unordered_set<std::string> types;
    // The rest is guarded by signal_->mutex.
    bool in_flight = false;
    int64_t checkpoint = 0;
    std::optional<TimeMs> next_retry_at_ms;
    uint64_t generation = 0;          // bumped by every finished unit
    bool refresh_after_unit = false;  // a refresh skipped it while its unit was in flight
    SteadyTime hold_until{};          // after a failed unit

    bool wants(const std::string& type) const { return types.empty() || types.count(type) != 0; }
  };

  void run() {
    const auto idle_poll = std::chrono::milliseconds(options_.idle_poll_ms);
    std::unique_lock lock(signal_->mutex);
    SteadyTime next_refresh = std::chrono::steady_clock::now();
    while (!stopping_) {
      SteadyTime real_now = std::chrono::steady_clock::now();
      if (refresh_requested_ || real_now >= next_refresh) {
        refresh_requested_ = false;
        next_refresh = real_now + idle_poll;
        lock.unlock();
        refresh();
        lock.lock();
        continue;
      }
      TimeMs now_ms = clock_.now_ms();
      std::vector<Subscription*> ready;
      SteadyTime deadline = next_refresh;
      for (auto& sub : subscriptions_) {
        if (sub->in_flight) continue;
        if (sub->hold_until > real_now) {
          deadline = std::min(deadline, sub->hold_until);
          continue;
        }
        bool behind = sub->checkpoint < signal_->head_seq;
        bool retry_due = sub->next_retry_at_ms && *sub->next_retry_at_ms <= now_ms;
        if (behind || retry_due) {
          sub->in_flight = true;
          ++in_flight_;
          ready.push_back(sub.get());
        } else if (sub->next_retry_at_ms) {
          // The clock may be a test's manual clock: a real-time wait of the
          // remaining time then a re-check is right for both kinds.
          auto wait = std::chrono::milliseconds(std::max<int64_t>(1, *sub->next_retry_at_ms - now_ms));
          deadline = std::min(deadline, real_now + wait);
        }
      }
      if (!ready.empty()) {
        lock.unlock();
        for (Subscription* sub : ready) submit_unit(*sub);
        lock.lock();
        continue;
      }
      signal_->cv.wait_until(lock, deadline, [&] { return stopping_ || signal_->wake_pending; });
      signal_->wake_pending = false;
    }
    // Units in flight still run their done(), which touches this object.
    signal_->cv.wait(lock, [&] { return in_flight_ == 0; });
  }

  // Re-reads the head, the checkpoints and the retry timers: at start, after
  // wake() (a redrive), and on the idle poll.
  void refresh() {
    std::vector<uint64_t> generations;
    {
      std::lock_guard lock(signal_->mutex);
      for (const auto& sub : subscriptions_) generations.push_back(sub->generation);
    }
    int64_t head = 0;
    std::vector<int64_t> checkpoints;
    std::vector<std::optional<TimeMs>> retry_times;
    const TimeMs now_ms = clock_.now_ms();
    Status status = store_.read([&](store::Tx& tx) -> Status {
      checkpoints.clear();
      retry_times.clear();
      OF_ASSIGN_OR_RETURN(head, tx.last_event_seq());
      for (const auto& sub : subscriptions_) {
        OF_ASSIGN_OR_RETURN(int64_t checkpoint, tx.get_checkpoint(sub->spec.name));
        OF_ASSIGN_OR_RETURN(std::optional<TimeMs> retry_at, next_retry_at(tx, sub->spec.name, now_ms));
        checkpoints.push_back(checkpoint);
        retry_times.push_back(retry_at);
      }
      return Status::ok();
    });
    std::lock_guard lock(signal_->mutex);
    if (!status) {
      OF_LOG_WARN("bus refresh failed: {}", status.to_string());
      return;
    }
    signal_->head_seq = std::max(signal_->head_seq, head);
    for (size_t i = 0; i < subscriptions_.size(); ++i) {
      Subscription& sub = *subscriptions_[i];
      if (sub.in_flight) {
        sub.refresh_after_unit = true;  // its unit may have read before our news
      } else if (sub.generation != generations[i]) {
        refresh_requested_ = true;  // a unit finished during the read: read again
      } else {
        sub.checkpoint = checkpoints[i];
        sub.next_retry_at_ms = retry_times[i];
      }
    }
  }

  void submit_unit(Subscription& sub) {
    auto result = std::make_shared<UnitResult>();
    store_.submit([this, &sub, result](store::Tx& tx) { return dispatch(tx, sub, *result); },
                  [this, &sub, result](const Status& status) { finish(sub, *result, status); });
  }

  // Runs on the writer thread after the unit's commit: quick, never blocks.
  void finish(Subscription& sub, const UnitResult& result, const Status& status) {
    std::lock_guard lock(signal_->mutex);
    sub.in_flight = false;
    --in_flight_;
    ++sub.generation;
    if (status) {
      sub.checkpoint = result.checkpoint;
      sub.next_retry_at_ms = result.next_retry_at_ms;
      signal_->head_seq = std::max(signal_->head_seq, result.head_seq);
      stats_.delivered += result.stats.delivered;
      stats_.failed_attempts += result.stats.failed_attempts;
      stats_.dead_lettered += result.stats.dead_lettered;
      stats_.skipped_duplicates += result.stats.skipped_duplicates;
    } else {
      OF_LOG_WARN("bus dispatch unit failed subscription={}: {}", sub.spec.name, status.to_string());
      sub.hold_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.unit_error_backoff_ms);
    }
    if (sub.refresh_after_unit) {
      sub.refresh_after_unit = false;
      refresh_requested_ = true;
    }
    signal_->wake_pending = true;
    signal_->cv.notify_all();
  }

  // The dispatch unit, on the writer thread: due retries first (so a subject's
  // head is retried before its later events are looked at), then new events.
  Status dispatch(store::Tx& tx, const Subscription& sub, UnitResult& result) {
    const std::string& name = sub.spec.name;
    const TimeMs now_ms = clock_.now_ms();

    // A retried delivery that fails again is not retried twice in one unit,
    // even when its jittered backoff is zero.
    std::unordered_set<int64_t> attempted;
    int budget = options_.retry_batch_max;
    while (budget > 0) {
      OF_ASSIGN_OR_RETURN(std::vector<core::PendingDelivery> due, tx.due_pending_deliveries(name, now_ms, budget));
      bool progressed = false;
      for (const auto& delivery : due) {
        if (budget == 0) break;
        if (!attempted.insert(delivery.event_seq).second) continue;
        --budget;
        progressed = true;
        OF_RETURN_IF_ERROR(retry(tx, sub, delivery, now_ms, result.stats));
      }
      if (!progressed) break;
    }

    OF_ASSIGN_OR_RETURN(int64_t checkpoint, tx.get_checkpoint(name));
    OF_ASSIGN_OR_RETURN(std::vector<core::Event> events, tx.read_events(checkpoint, options_.batch_max));
    for (const auto& event : events) {
      if (!sub.wants(event.type)) continue;
      OF_ASSIGN_OR_RETURN(bool waits, tx.has_pending_delivery(name, event.subject));
      if (waits) {
        // Behind its subject's head; due as soon as it becomes the head.
        core::PendingDelivery delivery;
        delivery.subscription = name;
        delivery.event_seq = event.seq;
        delivery.subject = event.subject;
        delivery.attempts = 0;
        delivery.next_attempt_at_ms = now_ms;
        OF_RETURN_IF_ERROR(tx.put_pending_delivery(delivery));
        continue;
      }
      Status delivered = deliver(tx, sub, event, result.stats);
      if (!delivered) {
        OF_RETURN_IF_ERROR(record_failure(tx, sub, event.seq, event.subject, event.id.str(), /*attempts=*/1, delivered,
                                          now_ms, /*pending_exists=*/false, result.stats));
      }
    }
    if (!events.empty()) {
      checkpoint = events.back().seq;
      OF_RETURN_IF_ERROR(tx.set_checkpoint(name, checkpoint));
    }
    result.checkpoint = checkpoint;
    OF_ASSIGN_OR_RETURN(result.next_retry_at_ms, next_retry_at(tx, name, now_ms));
    OF_ASSIGN_OR_RETURN(result.head_seq, tx.last_event_seq());
    return Status::ok();
  }

  // When the subscription's earliest retry is due. A delivery waiting behind
  // its subject's head keeps the time it was queued (it is due the moment it
  // becomes the head), so an earliest time in the past may belong to a waiting
  // delivery: then only the heads count.
  static Result<std::optional<TimeMs>> next_retry_at(store::Tx& tx, const std::string& name, TimeMs now_ms) {
    OF_ASSIGN_OR_RETURN(std::optional<TimeMs> earliest, tx.next_pending_delivery_at(name));
    if (!earliest || *earliest > now_ms) return earliest;
    OF_ASSIGN_OR_RETURN(std::vector<core::PendingDelivery> heads,
                        tx.due_pending_deliveries(name, std::numeric_limits<TimeMs>::max(), store::kListLimitMax));
    std::optional<TimeMs> head_earliest;
    for (const auto& head : heads) {
      if (!head_earliest || head.next_attempt_at_ms < *head_earliest) head_earliest = head.next_attempt_at_ms;
    }
    // More heads than one query returns: poll soon rather than miss one.
    if (static_cast<int>(heads.size()) >= store::kListLimitMax && head_earliest) {
      head_earliest = std::min(*head_earliest, now_ms + kManyHeadsPollMs);
    }
    return head_earliest;
  }

  Status retry(store::Tx& tx, const Subscription& sub, const core::PendingDelivery& delivery, TimeMs now_ms,
               BusStats& stats) {
    OF_ASSIGN_OR_RETURN(std::optional<core::Event> event, tx.get_event(delivery.event_seq));
    if (!event) {
      // Cannot happen with an intact log; park it where an operator sees it.
      return record_failure(tx, sub, delivery.event_seq, delivery.subject, std::string(), sub.spec.retry.max_attempts,
                            Status::internal("event missing from the log"), now_ms, true, stats);
    }
    Status delivered = deliver(tx, sub, *event, stats);
    if (delivered) return tx.delete_pending_delivery(sub.spec.name, delivery.event_seq);
    return record_failure(tx, sub, delivery.event_seq, delivery.subject, event->id.str(), delivery.attempts + 1,
                          delivered, now_ms, true, stats);
  }

  // One delivery in a savepoint: the inbox entry and the handler's writes
  // commit together or not at all.
  Status deliver(store::Tx& tx, const Subscription& sub, const core::Event& event, BusStats& stats) {
    bool duplicate = false;
    Status status = tx.nested([&]() -> Status {
      OF_ASSIGN_OR_RETURN(bool inserted, tx.inbox_insert(sub.spec.name, event.id));
      if (!inserted) {
        duplicate = true;
        return Status::ok();
      }
      try {
        return sub.spec.handler(tx, event);
      } catch (const std::exception& error) {
        return Status::internal(std::string("handler threw: ") + error.what());
      }
    });
    if (status) {
      if (duplicate) {
        ++stats.skipped_duplicates;
      } else {
        ++stats.delivered;
      }
    }
    return status;
  }

  // A failed attempt: reschedule with backoff, or after the last attempt park
  // it in the dead-letter store and let the subject's later events proceed.
  Status record_failure(store::Tx& tx, const Subscription& sub, int64_t event_seq, const std::string& subject,
                        const std::string& event_id, int32_t attempts, const Status& error, TimeMs now_ms,
                        bool pending_exists, BusStats& stats) {
    ++stats.failed_attempts;
    const RetryPolicy& policy = sub.spec.retry;
    if (attempts >= policy.max_attempts) {
      core::DeadLetter dead_letter;
      dead_letter.kind = core::DeadLetterKind::kEvent;
      dead_letter.consumer = sub.spec.name;
      dead_letter.event_seq = event_seq;
      dead_letter.reference = event_id;
      dead_letter.subject = subject;
      dead_letter.attempts = attempts;
      dead_letter.last_error = error.to_string();
      dead_letter.created_at_ms = now_ms;
      OF_RETURN_IF_ERROR(tx.insert_dead_letter(dead_letter).status());
      if (pending_exists) OF_RETURN_IF_ERROR(tx.delete_pending_delivery(sub.spec.name, event_seq));
      ++stats.dead_lettered;
      OF_LOG_WARN("bus dead-lettered subscription={} seq={} subject={} attempts={}: {}", sub.spec.name, event_seq,
                  subject, attempts, dead_letter.last_error);
      return Status::ok();
    }
    core::PendingDelivery delivery;
    delivery.subscription = sub.spec.name;
    delivery.event_seq = event_seq;
    delivery.subject = subject;
    delivery.attempts = attempts;
    delivery.next_attempt_at_ms =
        now_ms + backoff_with_full_jitter_ms(random_, attempts, policy.base_backoff_ms, policy.max_backoff_ms);
    delivery.last_error = error.to_string();
    OF_LOG_DEBUG("bus delivery failed subscription={} seq={} attempts={}: {}", sub.spec.name, event_seq, attempts,
                 delivery.last_error);
    return tx.put_pending_delivery(delivery);
  }

  store::Store& store_;
  const Clock& clock_;
  Random& random_;
  const EmbeddedBusOptions options_;
  std::shared_ptr<Signal> signal_;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;  // fixed after start()
  std::thread thread_;
  // Guarded by signal_->mutex.
  bool started_ = false;
  bool stopping_ = false;
  bool refresh_requested_ = false;
  int in_flight_ = 0;
  BusStats stats_;
};

EmbeddedBus::EmbeddedBus(store::Store& store, const Clock& clock, Random& random, EmbeddedBusOptions options)
    : impl_(std::make_unique<Impl>(store, clock, random, options)) {}

EmbeddedBus::~EmbeddedBus() = default;

void EmbeddedBus::subscribe(SubscriptionSpec spec) { impl_->subscribe(std::move(spec)); }
Status EmbeddedBus::start() { return impl_->start(); }
void EmbeddedBus::stop() { impl_->stop(); }
void EmbeddedBus::wake() { impl_->wake(); }
BusStats EmbeddedBus::stats() const { return impl_->stats(); }
std::vector<std::pair<std::string, int64_t>> EmbeddedBus::checkpoints() { return impl_->checkpoints(); }

}  // namespace of::bus
