// SqliteStore: one durable commit of a batch of N order-creation units (insert
// the order, its first status change and two outbox events), with
// synchronous=FULL (an fsync per commit) and NORMAL. Items are units, so
// items_per_second is units/s; the time per iteration is one batch's commit.
// In a temporary directory on the disk the temp dir lives on.
#include <benchmark/benchmark.h>

#include <stdlib.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "base/clock.h"
#include "base/log.h"
#include "base/random.h"
#include "store/sqlite/sqlite_store.h"

namespace of {
namespace {

// The store logs every open and close at info: keep the benchmark output readable.
const bool kQuietLogs = [] {
  init_logging(LogFormat::kText, "warn");
  return true;
}();

class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "orderflow-bench-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempDirectory() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

core::Order make_order(const std::string& id, TimeMs now_ms) {
  core::Order order;
  order.id = OrderId(id);
  order.customer_id = CustomerId("cust-42");
  order.currency = *core::Currency::parse("USD");
  for (int i = 0; i < 3; ++i) {
    core::OrderLine line;
    line.product_id = Sku("sku-" + std::to_string(i));
    line.name = "Product";
    line.quantity = 1;
    line.unit_price_minor = 1299;
    line.line_subtotal_minor = 1299;
    line.tax_class = "standard";
    order.lines.push_back(line);
  }
  order.totals = {3897, 0, 500, 4397};
  order.shipping_address = {"Ada Lovelace", "1 Main St", "", "Los Angeles", "CA", "90001", "US"};
  order.payment_token = "tok_visa";
  order.created_at_ms = order.updated_at_ms = now_ms;
  return order;
}

void BM_SqliteCommitBatch(benchmark::State& state) {
  const auto units = static_cast<int>(state.range(0));
  const bool full = state.range(1) != 0;
  TempDirectory directory;
  store::SqliteStoreOptions options;
  options.path = directory.path() + "/bench.db";
  options.synchronous_full = full;
  store::SqliteStore store(options);
  if (!store.start().is_ok()) {
    state.SkipWithError("store did not start");
    return;
  }
  SystemClock clock;
  Random random(1);
  UuidV7Generator ids(clock, random);
  std::mutex mutex;
  std::condition_variable all_done;
  int pending = 0;
  int64_t failed = 0;
  for (auto _ : state) {
    {
      std::lock_guard lock(mutex);
      pending = units;
    }
    for (int i = 0; i < units; ++i) {
      const std::string id = ids.next();
      store.submit(
          [id, &clock](store::Tx& tx) -> Status {
            const TimeMs now_ms = clock.now_ms();
            OF_RETURN_IF_ERROR(tx.insert_order(make_order(id, now_ms)));
            OF_RETURN_IF_ERROR(tx.append_status_change(OrderId(id), {0, std::nullopt, core::OrderStatus::kPending, "", now_ms}));
            core::Event event;
            event.id = EventId(id + "-created");
            event.type = "OrderCreated";
            event.source = "/orderflow/orders";
            event.subject = id;
            event.time_ms = now_ms;
            event.data_json = R"({"orderId":")" + id + R"(","items":[],"totalAmount":4397})";
            OF_ASSIGN_OR_RETURN(int64_t seq, tx.append_event(event));
            benchmark::DoNotOptimize(seq);
            event.id = EventId(id + "-status");
            event.type = "OrderStatusChanged";
            OF_ASSIGN_OR_RETURN(seq, tx.append_event(event));
            return Status::ok();
          },
          [&](const Status& status) {
            std::lock_guard lock(mutex);
            if (!status.is_ok()) ++failed;
            if (--pending == 0) all_done.notify_one();
          });
    }
    std::unique_lock lock(mutex);
    all_done.wait(lock, [&] { return pending == 0; });
  }
  store.stop();
  if (failed > 0) state.SkipWithError("some units failed");
  const auto stats = store.stats();
  state.counters["units_per_commit"] =
      benchmark::Counter(stats.commits > 0 ? static_cast<double>(stats.units) / static_cast<double>(stats.commits) : 0);
  state.SetItemsProcessed(state.iterations() * units);
  state.SetLabel(full ? "synchronous=FULL" : "synchronous=NORMAL");
}
BENCHMARK(BM_SqliteCommitBatch)
    ->ArgsProduct({{1, 16, 256}, {1, 0}})
    ->ArgNames({"units", "full"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

}  // namespace
}  // namespace of
