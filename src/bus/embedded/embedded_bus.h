// EmbeddedBus: the Bus adapter for the embedded shape. The event log is the
// store's own outbox table, so publishing is committing.
//
// One dispatcher thread. After every commit (a store commit listener) it wakes
// and, for each subscription that is behind the log head, submits one dispatch
// unit to the store: read up to batch_max events after the checkpoint, and for
// each event of a wanted type, inside a nested unit (savepoint): inbox check,
// handler, inbox insert. A failing event is recorded as a pending delivery and
// the checkpoint moves on; events whose subject already has a pending delivery
// queue behind it. Due pending deliveries are retried by the same thread on a
// timer. At most one dispatch unit per subscription is in flight, so a
// subscription sees its events in log order.
#pragma once

#include <cstdint>
#include <memory>

#include "base/clock.h"
#include "base/random.h"
#include "bus/bus.h"

namespace of::bus {

struct EmbeddedBusOptions {
  int batch_max = 256;  // events per dispatch unit
  int retry_batch_max = 64;  // 1..kListLimitMax: pending deliveries retried per dispatch unit
  int64_t idle_poll_ms = 1'000;  // safety poll of the store when nothing woke the dispatcher
  int64_t unit_error_backoff_ms = 100;  // pause a subscription after its dispatch unit failed
};

class EmbeddedBus final : public Bus {
 public:
  EmbeddedBus(store::Store& store, const Clock& clock, Random& random, EmbeddedBusOptions options);
  ~EmbeddedBus() override;
  void subscribe(SubscriptionSpec spec) override;
  Status start() override;
  void stop() override;
  void wake() override;
  BusStats stats() const override;
  std::vector<std::pair<std::string, int64_t>> checkpoints() override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace of::bus
