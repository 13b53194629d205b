// SqliteStore: the Store adapter for the embedded shape, one SQLite file in WAL mode.
//
// One writer thread owns the only writable connection. It takes every queued
// unit (up to batch_units_max), runs them in one BEGIN IMMEDIATE transaction,
// each inside its own savepoint, and makes them durable with one COMMIT
// (synchronous=FULL: the fsync happens before anything is acknowledged). Then
// it calls the commit listeners, then each unit's `done`. A failed COMMIT
// means the file can no longer be trusted: the process logs and exits (70)
// rather than acknowledge anything.
//
// Event seqs are assigned by the writer from an in-memory counter, rewound
// when a unit or nested() rolls back, so committed seqs are 1, 2, 3, ... with
// no gaps and never reused.
//
// read() borrows one of `readers` read-only connections (blocking while all
// are busy) and runs the reader inside BEGIN DEFERRED ... COMMIT, a snapshot
// as of its first read. Thread-safe: submit(), read() and stats() from any
// thread; start() and stop() from one owner thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "store/store.h"
#include "store/unit_queue.h"

namespace of::store {

namespace sqlite {
class Connection;
class SqliteTx;
}  // namespace sqlite

struct SqliteStoreOptions {
  std::string path;  // the database file; created when absent (its directory must exist)
  // FULL: each commit is durable when acknowledged. NORMAL (tests, benches
  // only): a power loss may drop the last commits, never corrupt the file.
  bool synchronous_full = true;
  int batch_units_max = 1024;      // units per commit, 1..kBatchUnitsMax
  int queue_units_max = 100000;    // units waiting for the writer, 1..kQueueUnitsMax
  int readers = 4;                 // read-only connections, 1..kReadersMax
  int64_t busy_timeout_ms = 5000;  // wait for a lock held by another process, 0..kBusyTimeoutMsMax
  // A batch smaller than batch_units_max waits up to this long for more units
  // before it commits: fewer fsyncs per order at low load, at most this much
  // added latency. 0..kCommitDelayUsMax.
  int64_t commit_delay_us = 0;
};

class SqliteStore final : public Store {
 public:
  static constexpr int kBatchUnitsMax = 65536;
  static constexpr int kQueueUnitsMax = 10'000'000;
  static constexpr int kReadersMax = 64;
  static constexpr int64_t kBusyTimeoutMsMax = 600'000;
  static constexpr int64_t kCommitDelayUsMax = 100'000;
  // The exit status when a commit fails (EX_SOFTWARE).
  static constexpr int kCommitFailedExitCode = 70;

  explicit SqliteStore(SqliteStoreOptions options);
  ~SqliteStore() override;  // stops
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // kInvalidArgument for options out of bounds; kInternal when the file
  // cannot be opened or migrated (or was written by a newer schema).
  Status start() override;
  void stop() override;
  void submit(Work work, Done done) override;
  Status read(const std::function<Status(Tx&)>& reader) override;
  void add_commit_listener(CommitListener listener) override;
  StoreStats stats() const override;

  const SqliteStoreOptions& options() const { return options_; }

 private:
  enum class State { kNew, kRunning, kStopped };

  Status open_connections();
  void run_writer();
  void run_batch(std::vector<Unit>& batch);
  // Runs one unit in its savepoint. Returns the unit's result; sets `broken`
  // when the transaction itself can no longer be committed.
  Status run_unit(sqlite::SqliteTx& tx, Unit& unit, std::vector<Event>& events, Status& broken);
  void abandon_batch(std::vector<Unit>& batch, int64_t next_seq_mark, const Status& cause);
  void run_checkpointer();

  const SqliteStoreOptions options_;
  const SystemClock clock_;
  UnitQueue queue_;

  std::mutex lifecycle_mutex_;  // start() and stop()
  State state_ = State::kNew;

  // Set before start(), then read only by the writer thread.
  std::vector<CommitListener> listeners_;

  // Writer thread only (after start()).
  std::unique_ptr<sqlite::Connection> writer_;
  int64_t next_seq_ = 1;
  std::thread writer_thread_;

  std::mutex readers_mutex_;
  std::condition_variable readers_changed_;
  std::vector<std::unique_ptr<sqlite::Connection>> readers_;
  std::vector<sqlite::Connection*> readers_free_;
  bool readers_open_ = false;

  // Checkpoints copy the WAL into the database file on their own thread and
  // connection, so the writer's commits never wait for that copy (and its
  // fsync). The writer's automatic checkpoint is off.
  std::unique_ptr<sqlite::Connection> checkpointer_;
  std::thread checkpoint_thread_;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_stop_ = false;
  bool checkpoint_pending_ = false;  // a commit since the last checkpoint

  mutable std::mutex stats_mutex_;
  StoreStats stats_;
};

}  // namespace of::store
