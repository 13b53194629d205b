// The SQLite schema and its migrations.
//
// Migrations are an ordered list of SQL scripts, numbered from 1; each is
// applied once, in its own transaction, and recorded in schema_migrations. A
// database that has a migration this binary does not know was written by a
// newer orderflow and is refused rather than misread. Called by the writer at
// start-up, before any reader connection opens.
#pragma once

#include "base/status.h"
#include "store/sqlite/connection.h"

namespace of::store::sqlite {

// Highest migration this binary knows.
int schema_version_latest();

// Applies every migration not yet applied.
Status migrate(Connection& db);

}  // namespace of::store::sqlite
