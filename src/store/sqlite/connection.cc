#include "store/sqlite/connection.h"

#include <fmt/format.h>

#include <utility>

namespace of::store::sqlite {

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  // The step's error, if any, was already reported; reset only returns it again.
  (void)sqlite3_reset(stmt_);
  (void)sqlite3_clear_bindings(stmt_);
}

void Statement::bind(int index, std::string_view text) {
  const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  OF_ASSERT_MSG(rc == SQLITE_OK, sqlite3_errstr(rc));
}

void Statement::bind(int index, std::nullopt_t) {
  const int rc = sqlite3_bind_null(stmt_, index);
  OF_ASSERT_MSG(rc == SQLITE_OK, sqlite3_errstr(rc));
}

void Statement::bind_int64(int index, int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  OF_ASSERT_MSG(rc == SQLITE_OK, sqlite3_errstr(rc));
}

int Statement::step() { return sqlite3_step(stmt_); }

Status Statement::run(std::string_view what) {
  const int rc = step();
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::ok();
  if (is_unique_violation(rc)) return Status::conflict(fmt::format("{}: {}", what, sqlite3_errmsg(db())));
  return sqlite_error(db(), rc, what);
}

int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

bool Statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

Status sqlite_error(sqlite3* db, int rc, std::string_view what) {
  return Status::internal(fmt::format("sqlite: {}: {} ({})", what, db ? sqlite3_errmsg(db) : "", sqlite3_errstr(rc)));
}

bool is_unique_violation(int rc) { return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE; }

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, const ConnectionOptions& options) {
  // NOMUTEX: one thread at a time uses a connection (see the header), so
  // SQLite's own per-connection mutex would only cost time.
  const int flags =
      (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status status = sqlite_error(db, rc, fmt::format("open {}", path));
    sqlite3_close_v2(db);
    return status;
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout_ms));

  if (!options.read_only) {
    // journal_mode answers with the mode in force; anything but "wal" (a
    // filesystem that cannot share memory, say) would silently lose the
    // concurrent readers and the group-commit durability model.
    OF_ASSIGN_OR_RETURN(Statement wal, connection->prepare("PRAGMA journal_mode=WAL"));
    const int step_rc = wal.step();
    if (step_rc != SQLITE_ROW) return sqlite_error(db, step_rc, "set journal_mode=WAL");
    if (wal.column_text(0) != "wal") {
      return Status::internal(fmt::format("sqlite: {} cannot use WAL (journal_mode={})", path, wal.column_text(0)));
    }
  }
  // Set explicitly on every connection: FULL makes each commit durable
  // before it is acknowledged, which "no lost order" depends on.
  OF_RETURN_IF_ERROR(
      connection->exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  // The schema has no foreign keys: invariants are kept by the services and
  // the CHECK constraints, and FK checks would cost every write.
  OF_RETURN_IF_ERROR(connection->exec("PRAGMA foreign_keys=OFF"));
  // In WAL mode a connection drops its whole page cache whenever another one
  // has committed, so readers re-read hot pages after every group commit;
  // memory-mapped reads make that re-read a page-table lookup instead of a
  // pread copy (measured: pread was the largest cost under load).
  OF_RETURN_IF_ERROR(connection->exec("PRAGMA mmap_size=1073741824"));
  OF_RETURN_IF_ERROR(connection->exec("PRAGMA cache_size=-32768"));
  // Each unit and each event handler runs in a savepoint, and SQLite keeps the
  // pages a savepoint may have to restore in a sub-journal that spills to a
  // temporary file past 64 KiB. Under load that file took most of the
  // process's writes (strace: ~57,000 4 KiB page writes in 2 s, about 800 KB
  // per order); in memory it costs a copy.
  OF_RETURN_IF_ERROR(connection->exec("PRAGMA temp_store=MEMORY"));
  return connection;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Statement(it->second);
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, fmt::format("prepare `{}`", sql));
  OF_ASSERT_MSG(stmt != nullptr, sql);  // an empty statement is a programmer error
  statements_.emplace(sql, stmt);
  return Statement(stmt);
}

Status Connection::exec(const char* sql) {
  OF_ASSIGN_OR_RETURN(Statement statement, prepare(sql));
  return statement.run(sql);
}

Status Connection::exec_script(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Status::ok();
  Status status = Status::internal(fmt::format("sqlite: script failed: {}", message ? message : sqlite3_errstr(rc)));
  sqlite3_free(message);
  return status;
}

}  // namespace of::store::sqlite
