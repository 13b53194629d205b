// EmbeddedBus over the MemoryStore: the cost of dispatching one event to one
// subscription (dispatch unit, inbox, checkpoint) without any disk. Each
// iteration publishes a batch of N events in one unit and waits until the
// handler has seen them all; items are events.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "base/clock.h"
#include "base/random.h"
#include "bus/embedded/embedded_bus.h"
#include "store/memory/memory_store.h"

namespace of {
namespace {

void BM_EmbeddedBusDispatch(benchmark::State& state) {
  const auto events = static_cast<int>(state.range(0));
  store::MemoryStore store;
  SystemClock clock;
  Random random(1);
  UuidV7Generator ids(clock, random);
  bus::EmbeddedBus bus(store, clock, random, bus::EmbeddedBusOptions{});
  std::atomic<int64_t> handled{0};
  bus::SubscriptionSpec spec;
  spec.name = "bench";
  spec.event_types = {"OrderCreated"};
  spec.handler = [&handled](store::Tx&, const core::Event&) -> Status {
    handled.fetch_add(1, std::memory_order_relaxed);
    return Status::ok();
  };
  bus.subscribe(std::move(spec));
  if (!store.start().is_ok() || !bus.start().is_ok()) {
    state.SkipWithError("store or bus did not start");
    return;
  }
  int64_t expected = 0;
  for (auto _ : state) {
    Status written = store.write([&](store::Tx& tx) -> Status {
      for (int i = 0; i < events; ++i) {
        core::Event event;
        event.id = EventId(ids.next());
        event.type = "OrderCreated";
        event.source = "/orderflow/bench";
        event.subject = "order-" + std::to_string(i % 64);
        event.time_ms = clock.now_ms();
        event.data_json = "{}";
        OF_ASSIGN_OR_RETURN(int64_t seq, tx.append_event(event));
        benchmark::DoNotOptimize(seq);
      }
      return Status::ok();
    });
    if (!written.is_ok()) {
      state.SkipWithError("publishing failed");
      break;
    }
    expected += events;
    while (handled.load(std::memory_order_relaxed) < expected) std::this_thread::yield();
  }
  bus.stop();
  store.stop();
  state.SetItemsProcessed(state.iterations() * events);
}
BENCHMARK(BM_EmbeddedBusDispatch)->Arg(1)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace of
