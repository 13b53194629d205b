// Bus: durable named subscriptions over the event log.
//
// A subscription names the event types it wants and a handler. The handler
// reads one event and changes state through the Tx it is given; it does no
// network I/O. Its writes, the events it appends, the subscription's inbox
// entry for the event and its checkpoint are committed in ONE transaction, so
// a redelivered event has no second effect.
//
// Ordering: events with the same subject (an order id) reach a subscription in
// log order. A handler error rolls back that event's writes and retries it
// with exponential backoff and full jitter; later events of the same subject
// wait behind it, other subjects keep flowing. After max_attempts the event is
// parked in the dead-letter store, and the subject's later events proceed.
// Adapters: embedded/ (reads the log in the store itself); nats/ comes later.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "store/store.h"

namespace of::bus {

using EventHandler = std::function<Status(store::Tx& tx, const core::Event& event)>;

struct RetryPolicy {
  int max_attempts = 8;  // 1..100; attempts counts the first delivery
  int64_t base_backoff_ms = 100;
  int64_t max_backoff_ms = 30'000;
};

struct SubscriptionSpec {
  std::string name;                      // durable: the checkpoint is kept under this name
  std::vector<std::string> event_types;  // empty: every type
  EventHandler handler;
  RetryPolicy retry;
};

struct BusStats {
  int64_t delivered = 0;       // handler ran and committed
  int64_t failed_attempts = 0;  // handler returned an error
  int64_t dead_lettered = 0;
  int64_t skipped_duplicates = 0;  // already in the inbox
};

class Bus {
 public:
  virtual ~Bus() = default;
  // Register before start().
  virtual void subscribe(SubscriptionSpec spec) = 0;
  virtual Status start() = 0;
  virtual void stop() = 0;
  // Look for new work now (after a redrive, say).
  virtual void wake() = 0;
  virtual BusStats stats() const = 0;
  // The last event seq each subscription has handled, and the log head: lag.
  // Subscriptions in registration order, then one entry named kLogHeadName.
  virtual std::vector<std::pair<std::string, int64_t>> checkpoints() = 0;
};

// The name of the log head's entry in Bus::checkpoints() (no subscription may use it).
inline constexpr std::string_view kLogHeadName = "$log_head";

// Redrives a dead letter inside the caller's transaction: an event goes back to
// its subscription's retry queue with fresh attempts; a job goes back to the
// queue. kNotFound for an unknown id, kConflict when already redriven. Call
// Bus::wake() / JobRunner::wake() after the commit.
Status redrive_dead_letter(store::Tx& tx, int64_t dead_letter_id, TimeMs now_ms);

}  // namespace of::bus
