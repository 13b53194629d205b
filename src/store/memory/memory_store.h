// MemoryStore: the Store adapter that keeps everything in std::maps, for fast
// unit tests of services. Nothing survives the object.
//
// It behaves like the durable adapters where a caller can tell: units run on
// its own writer thread in batches (each unit in a savepoint backed by an
// undo log, so a failing unit or nested() leaves no trace), commit listeners
// run after each batch and before the batch's `done` callbacks, event seqs
// have no gaps, and read() sees only committed batches. The writer holds the
// tables exclusively for a whole batch; readers share them between batches.
// Thread-safe like Store: submit(), read(), stats() from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "store/store.h"
#include "store/unit_queue.h"

namespace of::store {

struct MemoryStoreOptions {
  int batch_units_max = 1024;    // units per batch, >= 1
  int queue_units_max = 100000;  // units waiting for the writer, >= 1
};

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(MemoryStoreOptions options = {});
  ~MemoryStore() override;  // stops
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Status start() override;
  void stop() override;
  void submit(Work work, Done done) override;
  Status read(const std::function<Status(Tx&)>& reader) override;
  void add_commit_listener(CommitListener listener) override;
  StoreStats stats() const override;

  // The maps themselves; an implementation detail of memory_store.cc.
  struct Tables;

 private:
  enum class State { kNew, kRunning, kStopped };

  void run_writer();
  void run_batch(std::vector<Unit>& batch);
  std::shared_lock<std::shared_mutex> lock_shared();
  std::unique_lock<std::shared_mutex> lock_exclusive();

  const MemoryStoreOptions options_;
  UnitQueue queue_;

  std::mutex lifecycle_mutex_;
  State state_ = State::kNew;
  std::vector<CommitListener> listeners_;  // set before start(), then writer-only
  std::thread writer_thread_;

  // Exclusive for the writer's batch, shared by readers; `readable_` says
  // whether read() is allowed (between start() and stop()). std::shared_mutex
  // lets a stream of readers starve the writer, so both pass `turnstile_`
  // first: once the writer waits there, new readers queue behind it.
  std::mutex turnstile_;
  mutable std::shared_mutex tables_mutex_;
  std::unique_ptr<Tables> tables_;
  bool readable_ = false;

  mutable std::mutex stats_mutex_;
  StoreStats stats_;
};

}  // namespace of::store
