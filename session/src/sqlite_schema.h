// The session database's schema, versioned with PRAGMA user_version. Migrations only move
// forward: a file from an older reagent is upgraded in one transaction at Open; a file from a
// newer one is refused (this build would not know what its columns mean).
#pragma once

#include "reagent/core/status.h"
#include "sqlite_connection.h"

namespace reagent::session_internal {

inline constexpr int kSchemaVersion = 2;

// Creates or migrates the schema (unless read_only, which only checks the version).
Status EnsureSchema(Connection& conn, bool read_only);

// The SQL that takes a database from schema version `from` to from + 1 (for migration tests).
const char* MigrationSql(int from);

}  // namespace reagent::session_internal
