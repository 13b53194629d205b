#include "store/sqlite/sqlite_store.h"

#include <fmt/format.h>

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <exception>
#include <utility>

#include "base/log.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_tx.h"

namespace of::store {

using sqlite::Connection;
using sqlite::ConnectionOptions;
using sqlite::SqliteTx;

namespace {

Status check_options(const SqliteStoreOptions& options) {
  if (options.path.empty()) return Status::invalid("store path is empty", "path");
  if (options.batch_units_max < 1 || options.batch_units_max > SqliteStore::kBatchUnitsMax) {
    return Status::invalid(fmt::format("batch_units_max must be 1..{}", SqliteStore::kBatchUnitsMax),
                           "batch_units_max");
  }
  if (options.queue_units_max < 1 || options.queue_units_max > SqliteStore::kQueueUnitsMax) {
    return Status::invalid(fmt::format("queue_units_max must be 1..{}", SqliteStore::kQueueUnitsMax),
                           "queue_units_max");
  }
  if (options.readers < 1 || options.readers > SqliteStore::kReadersMax) {
    return Status::invalid(fmt::format("readers must be 1..{}", SqliteStore::kReadersMax), "readers");
  }
  if (options.busy_timeout_ms < 0 || options.busy_timeout_ms > SqliteStore::kBusyTimeoutMsMax) {
    return Status::invalid(fmt::format("busy_timeout_ms must be 0..{}", SqliteStore::kBusyTimeoutMsMax),
                           "busy_timeout_ms");
  }
  if (options.commit_delay_us < 0 || options.commit_delay_us > SqliteStore::kCommitDelayUsMax) {
    return Status::invalid(fmt::format("commit_delay_us must be 0..{}", SqliteStore::kCommitDelayUsMax),
                           "commit_delay_us");
  }
  return Status::ok();
}

[[noreturn]] void die(const std::string& message) {
  OF_LOG_ERROR("store: {}; exiting without acknowledging the batch", message);
  spdlog::default_logger()->flush();
  std::_Exit(SqliteStore::kCommitFailedExitCode);
}

}  // namespace

SqliteStore::SqliteStore(SqliteStoreOptions options)
    : options_(std::move(options)),
      // Bounds are checked by start(); the queue only needs a sane capacity.
      queue_(static_cast<size_t>(std::max(1, options_.queue_units_max))) {}

SqliteStore::~SqliteStore() { stop(); }

Status SqliteStore::start() {
  std::lock_guard lock(lifecycle_mutex_);
  if (state_ != State::kNew) return Status::internal("store already started");
  OF_RETURN_IF_ERROR(check_options(options_));
  Status status = open_connections();
  if (!status.is_ok()) {
    std::lock_guard readers_lock(readers_mutex_);
    readers_.clear();
    readers_free_.clear();
    writer_.reset();
    return status;
  }
  state_ = State::kRunning;
  queue_.open();
  writer_thread_ = std::thread([this] { run_writer(); });
  checkpoint_stop_ = false;
  checkpoint_thread_ = std::thread([this] { run_checkpointer(); });
  OF_LOG_INFO("store: sqlite {} open, next event seq {}", options_.path, next_seq_);
  return Status::ok();
}

Status SqliteStore::open_connections() {
  ConnectionOptions writer_options;
  writer_options.synchronous_full = options_.synchronous_full;
  writer_options.busy_timeout_ms = options_.busy_timeout_ms;
  OF_ASSIGN_OR_RETURN(writer_, Connection::open(options_.path, writer_options));
  OF_RETURN_IF_ERROR(sqlite::migrate(*writer_));
  OF_RETURN_IF_ERROR(writer_->exec("PRAGMA wal_autocheckpoint=0"));
  // Once checkpointed, a WAL larger than this is truncated back to it.
  OF_RETURN_IF_ERROR(writer_->exec("PRAGMA journal_size_limit=67108864"));
  OF_ASSIGN_OR_RETURN(checkpointer_, Connection::open(options_.path, writer_options));
  {
    OF_ASSIGN_OR_RETURN(sqlite::Statement query, writer_->prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM events"));
    if (query.step() != SQLITE_ROW) return sqlite::sqlite_error(writer_->handle(), SQLITE_ERROR, "read last seq");
    next_seq_ = query.column_int(0);
  }
  // Readers open after migration, so they never see a half-made schema.
  ConnectionOptions reader_options = writer_options;
  reader_options.read_only = true;
  std::lock_guard lock(readers_mutex_);
  for (int i = 0; i < options_.readers; ++i) {
    OF_ASSIGN_OR_RETURN(auto reader, Connection::open(options_.path, reader_options));
    readers_free_.push_back(reader.get());
    readers_.push_back(std::move(reader));
  }
  readers_open_ = true;
  return Status::ok();
}

void SqliteStore::stop() {
  std::lock_guard lock(lifecycle_mutex_);
  if (state_ != State::kRunning) {
    state_ = State::kStopped;
    return;
  }
  state_ = State::kStopped;
  // Units accepted before close() still run and commit; later ones are refused.
  queue_.close();
  writer_thread_.join();
  writer_.reset();
  {
    std::lock_guard checkpoint_lock(checkpoint_mutex_);
    checkpoint_stop_ = true;
  }
  checkpoint_wanted_.notify_all();
  checkpoint_thread_.join();
  checkpointer_.reset();
  std::unique_lock readers_lock(readers_mutex_);
  readers_open_ = false;
  readers_changed_.notify_all();
  // Connections still lent out finish their read first.
  readers_changed_.wait(readers_lock, [this] { return readers_free_.size() == readers_.size(); });
  readers_free_.clear();
  readers_.clear();
  OF_LOG_INFO("store: sqlite {} closed", options_.path);
}

void SqliteStore::submit(Work work, Done done) {
  OF_ASSERT(work != nullptr);
  Status status = queue_.push(work, done);
  if (!status.is_ok() && done) done(status);
}

Status SqliteStore::read(const std::function<Status(Tx&)>& reader) {
  Connection* db = nullptr;
  {
    std::unique_lock lock(readers_mutex_);
    readers_changed_.wait(lock, [this] { return !readers_free_.empty() || !readers_open_; });
    if (!readers_open_) return Status::unavailable("store is not running");
    db = readers_free_.back();
    readers_free_.pop_back();
  }
  // Whatever the reader does (even throw), the connection goes back to the
  // pool with no transaction open, or stop() would wait for it forever.
  struct Return {
    SqliteStore* store;
    Connection* db;
    ~Return() {
      if (!db->autocommit()) (void)db->exec("ROLLBACK");
      {
        std::lock_guard lock(store->readers_mutex_);
        store->readers_free_.push_back(db);
      }
      store->readers_changed_.notify_all();
    }
  } give_back{this, db};
  OF_RETURN_IF_ERROR(db->exec("BEGIN DEFERRED"));
  SqliteTx tx(*db);
  Status status = reader(tx);
  Status end = db->exec("COMMIT");
  return status.is_ok() ? end : status;
}

void SqliteStore::add_commit_listener(CommitListener listener) {
  std::lock_guard lock(lifecycle_mutex_);
  OF_ASSERT_MSG(state_ == State::kNew, "add commit listeners before start()");
  listeners_.push_back(std::move(listener));
}

StoreStats SqliteStore::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

void SqliteStore::run_writer() {
  std::vector<Unit> batch;
  batch.reserve(static_cast<size_t>(options_.batch_units_max));
  while (queue_.pop_batch(static_cast<size_t>(options_.batch_units_max), batch,
                          std::chrono::microseconds(options_.commit_delay_us))) {
    run_batch(batch);
    batch.clear();
  }
}

void SqliteStore::run_batch(std::vector<Unit>& batch) {
  const int64_t next_seq_mark = next_seq_;
  Status begin = writer_->exec("BEGIN IMMEDIATE");
  if (!begin.is_ok()) {
    // Nothing was written; another process holding the file past the busy
    // timeout is the likely cause, so the callers may retry.
    OF_LOG_ERROR("store: BEGIN failed: {}", begin.message());
    for (Unit& unit : batch) {
      if (unit.done) unit.done(Status::unavailable("store busy: " + begin.message()));
    }
    std::lock_guard lock(stats_mutex_);
    stats_.units += static_cast<int64_t>(batch.size());
    stats_.units_failed += static_cast<int64_t>(batch.size());
    return;
  }

  std::vector<Status> results;
  results.reserve(batch.size());
  std::vector<Event> events;
  SqliteTx tx(*writer_, next_seq_, events);
  Status broken;
  for (Unit& unit : batch) {
    results.push_back(run_unit(tx, unit, events, broken));
    if (!broken.is_ok()) {
      abandon_batch(batch, next_seq_mark, broken);
      return;
    }
  }

  const int64_t commit_start_us = clock_.monotonic_us();
  Status commit = writer_->exec("COMMIT");
  if (!commit.is_ok()) die("COMMIT failed: " + commit.message());
  const int64_t commit_us = clock_.monotonic_us() - commit_start_us;

  CommitInfo info;
  int failed = 0;
  for (const Status& result : results) {
    if (result.is_ok()) {
      ++info.units;
    } else {
      ++failed;
    }
  }
  info.events = std::move(events);
  {
    std::lock_guard lock(stats_mutex_);
    stats_.commits += 1;
    stats_.units += static_cast<int64_t>(batch.size());
    stats_.units_failed += failed;
    stats_.last_batch_units = static_cast<int64_t>(batch.size());
    if (stats_.last_batch_units > stats_.max_batch_units) stats_.max_batch_units = stats_.last_batch_units;
    stats_.commit_us_total += commit_us;
  }
  {
    std::lock_guard checkpoint_lock(checkpoint_mutex_);
    checkpoint_pending_ = true;
  }
  checkpoint_wanted_.notify_one();
  // Listeners first, so a caller woken by `done` knows they have seen its events.
  if (info.units > 0) {
    for (const CommitListener& listener : listeners_) listener(info);
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].done) batch[i].done(results[i]);
  }
}

// PASSIVE checkpoints never block the writer or readers; they copy what no
// reader still needs. One runs after commits, at most every
// kCheckpointInterval, and once more at stop so a clean shutdown leaves a
// small WAL.
void SqliteStore::run_checkpointer() {
  constexpr auto kCheckpointInterval = std::chrono::milliseconds(200);
  auto next_allowed = std::chrono::steady_clock::now();
  std::unique_lock lock(checkpoint_mutex_);
  while (true) {
    checkpoint_wanted_.wait(lock, [this] { return checkpoint_stop_ || checkpoint_pending_; });
    checkpoint_wanted_.wait_until(lock, next_allowed, [this] { return checkpoint_stop_; });
    const bool stopping = checkpoint_stop_;
    checkpoint_pending_ = false;
    lock.unlock();
    int wal_frames = 0;
    int copied_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(checkpointer_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                       &copied_frames);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      OF_LOG_WARN("store: checkpoint failed: {}", sqlite3_errmsg(checkpointer_->handle()));
    }
    next_allowed = std::chrono::steady_clock::now() + kCheckpointInterval;
    if (stopping) return;
    lock.lock();
  }
}

Status SqliteStore::run_unit(SqliteTx& tx, Unit& unit, std::vector<Event>& events, Status& broken) {
  Status savepoint = writer_->exec("SAVEPOINT u");
  if (!savepoint.is_ok()) {
    if (writer_->autocommit()) broken = savepoint;
    return savepoint;
  }
  const int64_t next_seq_mark = next_seq_;
  const size_t events_mark = events.size();
  Status status;
  try {
    status = unit.work(tx);
  } catch (const std::exception& error) {
    // Units are orderflow code and should not throw; if one does, it fails
    // alone instead of taking the writer thread (and every later unit) down.
    OF_LOG_ERROR("store: unit threw: {}", error.what());
    status = Status::internal(fmt::format("unit threw: {}", error.what()));
  }
  if (!tx.broken().is_ok()) {
    broken = tx.broken();
    return broken;
  }
  if (!status.is_ok()) {
    Status rollback = writer_->exec("ROLLBACK TO u");
    if (!rollback.is_ok()) {
      broken = rollback;
      return status;
    }
    // The unit's events never happened: their seqs go to the next appender.
    next_seq_ = next_seq_mark;
    events.resize(events_mark);
  }
  Status release = writer_->exec("RELEASE u");
  if (!release.is_ok()) {
    broken = release;
  } else if (writer_->autocommit()) {
    // SQLite rolls the whole transaction back by itself after some errors
    // (disk full, I/O error); the units before this one are gone too.
    broken = Status::internal("sqlite rolled the transaction back");
  }
  return status;
}

void SqliteStore::abandon_batch(std::vector<Unit>& batch, int64_t next_seq_mark, const Status& cause) {
  OF_LOG_ERROR("store: abandoning a batch of {} units: {}", batch.size(), cause.message());
  if (!writer_->autocommit()) {
    Status rollback = writer_->exec("ROLLBACK");
    if (!rollback.is_ok()) die("ROLLBACK failed: " + rollback.message());
  }
  next_seq_ = next_seq_mark;
  {
    std::lock_guard lock(stats_mutex_);
    stats_.units += static_cast<int64_t>(batch.size());
    stats_.units_failed += static_cast<int64_t>(batch.size());
  }
  const Status failure = Status::internal("store transaction rolled back: " + cause.message());
  for (Unit& unit : batch) {
    if (unit.done) unit.done(failure);
  }
}

}  // namespace of::store
