// Connection: one SQLite connection with its cache of prepared statements.
//
// Every statement orderflow runs is a string literal with bound parameters;
// the cache is keyed by the literal's address and keeps each statement
// prepared (SQLITE_PREPARE_PERSISTENT) for the connection's life. A
// Connection is used by one thread at a time (the writer, or a reader that
// borrowed it from the pool), so it has no lock of its own.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "base/status.h"

namespace of::store::sqlite {

// A borrowed cached statement. Unbinds and resets itself when it goes out of
// scope, so the next borrower finds it clean.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(Statement&& other) noexcept : stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQL (?1, ?2, ...). Text is copied.
  void bind(int index, std::string_view text);
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind(int index, std::nullopt_t);
  template <class T>
  requires std::is_integral_v<T>
  void bind(int index, T value) { bind_int64(index, static_cast<int64_t>(value)); }
  template <class T>
  void bind(int index, const std::optional<T>& value) {
    if (value) {
      bind(index, *value);
    } else {
      bind(index, std::nullopt);
    }
  }
  // Binds ?1, ?2, ... in order.
  template <class... Args>
  void bind_all(const Args&... args) {
    int index = 1;
    (bind(index++, args), ...);
  }

  // SQLITE_ROW, SQLITE_DONE, or an (extended) error code.
  int step();
  // Steps a statement that returns no rows: ok, or the error as a Status.
  // Constraint failures come back as kConflict so callers can tell them apart.
  Status run(std::string_view what);

  int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

  sqlite3* db() const { return sqlite3_db_handle(stmt_); }

 private:
  void bind_int64(int index, int64_t value);
  sqlite3_stmt* stmt_;
};

struct ConnectionOptions {
  bool read_only = false;
  bool synchronous_full = true;
  int64_t busy_timeout_ms = 5000;
};

class Connection {
 public:
  // Opens (creating when writable) and configures: WAL on a writable
  // connection, synchronous FULL or NORMAL, foreign keys off, busy timeout.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // `sql` must be a string literal (or otherwise live as long as the connection).
  Result<Statement> prepare(const char* sql);
  // Prepares and runs a statement that returns no rows.
  Status exec(const char* sql);
  // Runs a multi-statement script with no parameters (schema migrations).
  Status exec_script(const char* sql);

  int64_t changes() const { return sqlite3_changes64(db_); }
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  // True when no transaction is open; SQLite may roll one back by itself on
  // some errors (disk full, I/O error), which the writer must notice.
  bool autocommit() const { return sqlite3_get_autocommit(db_) != 0; }
  sqlite3* handle() const { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

// A Status for a failed SQLite call: kInternal with SQLite's message.
Status sqlite_error(sqlite3* db, int rc, std::string_view what);
// True for a PRIMARY KEY or UNIQUE violation.
bool is_unique_violation(int rc);

}  // namespace of::store::sqlite
