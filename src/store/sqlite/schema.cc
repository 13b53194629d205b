#include "store/sqlite/schema.h"

#include <fmt/format.h>

#include <iterator>

#include "base/clock.h"
#include "base/log.h"

namespace of::store::sqlite {
namespace {

// Append only: an applied migration is never edited, a change is a new one.
// Money and times are INTEGER (minor units, Unix ms), JSON columns are TEXT,
// enums are their to_string() text so a row reads the same in the sqlite3 shell.
constexpr const char* kMigrations[] = {
    // 1: everything Tx reads and writes.
    R"sql(
CREATE TABLE products (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  price_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  tax_class TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE stock (
  product_id TEXT PRIMARY KEY,
  on_hand INTEGER NOT NULL,
  reserved INTEGER NOT NULL,
  sold INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  CHECK (reserved >= 0 AND reserved <= on_hand),
  CHECK (sold >= 0)
) STRICT;

CREATE TABLE reservations (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  items_json TEXT NOT NULL,
  expires_at_ms INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  release_reason TEXT NOT NULL
) STRICT;
CREATE INDEX reservations_by_state ON reservations (state, id);

CREATE TABLE orders (
  id TEXT PRIMARY KEY,
  customer_id TEXT NOT NULL,
  status TEXT NOT NULL,
  currency TEXT NOT NULL,
  lines_json TEXT NOT NULL,
  subtotal_minor INTEGER NOT NULL,
  tax_minor INTEGER NOT NULL,
  shipping_minor INTEGER NOT NULL,
  total_minor INTEGER NOT NULL,
  shipping_address_json TEXT NOT NULL,
  payment_token TEXT NOT NULL,
  source TEXT NOT NULL,
  traceparent TEXT NOT NULL,
  refunded_minor INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  version INTEGER NOT NULL
) STRICT;
CREATE INDEX orders_by_customer ON orders (customer_id, id);
CREATE INDEX orders_by_status ON orders (status, id);

CREATE TABLE order_status_history (
  id INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL,
  event_seq INTEGER NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  reason TEXT NOT NULL,
  at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX order_status_history_by_order ON order_status_history (order_id, id);

CREATE TABLE payments (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  gateway_reference TEXT NOT NULL,
  failure_reason TEXT NOT NULL,
  refunded_minor INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE shipments (
  id TEXT PRIMARY KEY,
  order_id TEXT NOT NULL UNIQUE,
  carrier TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  state TEXT NOT NULL,
  shipped_at_ms INTEGER NOT NULL,
  delivered_at_ms INTEGER NOT NULL
) STRICT;

-- seq is assigned by the writer (never reused, no gaps among committed rows).
CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  source TEXT NOT NULL,
  subject TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  traceparent TEXT NOT NULL,
  data_json TEXT NOT NULL
) STRICT;
CREATE INDEX events_by_subject ON events (subject, seq);

CREATE TABLE subscription_checkpoints (
  subscription TEXT PRIMARY KEY,
  seq INTEGER NOT NULL
) STRICT;

CREATE TABLE inbox (
  subscription TEXT NOT NULL,
  event_id TEXT NOT NULL,
  PRIMARY KEY (subscription, event_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE pending_deliveries (
  subscription TEXT NOT NULL,
  event_seq INTEGER NOT NULL,
  subject TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  PRIMARY KEY (subscription, event_seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX pending_deliveries_by_subject ON pending_deliveries (subscription, subject, event_seq);
CREATE INDEX pending_deliveries_by_time ON pending_deliveries (subscription, next_attempt_at_ms);

CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  result_json TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_by_state ON jobs (state, next_attempt_at_ms);
CREATE INDEX jobs_by_subject ON jobs (subject, created_at_ms);

CREATE TABLE dead_letters (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  consumer TEXT NOT NULL,
  event_seq INTEGER NOT NULL,
  reference TEXT NOT NULL,
  subject TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  redriven_at_ms INTEGER
) STRICT;
)sql",
    // 2: the job queue is read by time among the jobs still to run only. Done
    // and dead jobs (most rows, and growing) stay out of this index, so finding
    // the next due jobs and the next wake-up time costs O(log n + batch).
    R"sql(
CREATE INDEX jobs_active_by_time ON jobs (next_attempt_at_ms, id) WHERE state IN ('QUEUED', 'RUNNING');
)sql",
    // 3: the first answer to each request sent with an Idempotency-Key,
    // pruned by age (the index) once its TTL has passed.
    R"sql(
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  location TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at_ms);
)sql",
    // 4: low-stock alerting per product: the threshold (-1: the configured
    // default) and whether LowStock was emitted for the current crossing.
    R"sql(
ALTER TABLE stock ADD COLUMN low_stock_threshold INTEGER NOT NULL DEFAULT -1;
ALTER TABLE stock ADD COLUMN low_stock_alerted INTEGER NOT NULL DEFAULT 0;
)sql",
};

constexpr int kMigrationCount = static_cast<int>(std::size(kMigrations));

Status record(Connection& db, int version) {
  OF_ASSIGN_OR_RETURN(Statement insert,
                      db.prepare("INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?1, ?2)"));
  insert.bind_all(version, SystemClock().now_ms());
  return insert.run("record schema migration");
}

Status apply(Connection& db, int version, const char* script) {
  OF_RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  Status status = db.exec_script(script);
  if (status.is_ok()) status = record(db, version);
  if (status.is_ok()) status = db.exec("COMMIT");
  if (!status.is_ok()) {
    if (!db.autocommit()) (void)db.exec("ROLLBACK");
    return Status::internal(fmt::format("schema migration {} failed: {}", version, status.message()));
  }
  OF_LOG_INFO("store: applied schema migration {}", version);
  return Status::ok();
}

}  // namespace

int schema_version_latest() { return kMigrationCount; }

Status migrate(Connection& db) {
  OF_RETURN_IF_ERROR(
      db.exec_script("CREATE TABLE IF NOT EXISTS schema_migrations ("
                     " version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL) STRICT;"));
  int applied = 0;
  {
    OF_ASSIGN_OR_RETURN(Statement query, db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    const int rc = query.step();
    if (rc != SQLITE_ROW) return sqlite_error(db.handle(), rc, "read schema version");
    applied = static_cast<int>(query.column_int(0));
  }
  if (applied > kMigrationCount) {
    return Status::internal(fmt::format(
        "store schema version {} is newer than this binary knows ({}): refusing to open", applied, kMigrationCount));
  }
  for (int version = applied + 1; version <= kMigrationCount; ++version) {
    OF_RETURN_IF_ERROR(apply(db, version, kMigrations[version - 1]));
  }
  return Status::ok();
}

}  // namespace of::store::sqlite
