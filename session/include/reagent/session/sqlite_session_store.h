// The SQLite session store: one database file shared by every thread and every process of a
// deployment (same host: WAL needs shared memory). What it guarantees:
//   - each AppendStep is one transaction: after a crash a step is there whole or not at all;
//   - synchronous=FULL: a step whose AppendStep returned OK survives process crashes and
//     power loss; synchronous=NORMAL (default, WAL): it survives process crashes (SIGKILL,
//     abort); after a power loss or OS crash the last steps before it may be lost, never
//     half-written, and the file stays consistent;
//   - limits (concurrent turns, requests per window) hold across processes, because the
//     check and the claim happen in one write transaction; leases of dead processes are
//     released by the survivors;
//   - a bad file (not a database, corrupt, read-only, from a newer reagent) is refused at
//     Open with an error naming the file, never a crash.
#pragma once

#include <memory>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/session/session_store.h"

namespace reagent {

enum class SqliteSync {
  kNormal,  // WAL + NORMAL: no fsync per commit; durable against process crashes
  kFull,    // fsync per commit: durable against power loss; commits cost a disk flush
};

struct SqliteSessionStoreOptions {
  // The database file. Created (with its schema) when missing and create_if_missing.
  std::string path = "reagent.db";
  SessionStoreOptions store;
  SqliteSync synchronous = SqliteSync::kNormal;
  // How long a statement waits for another connection's write lock before giving up with
  // kUnavailable. Longer rides out bursts from other processes; shorter fails fast.
  Duration busy_timeout = Seconds(5);
  // false: a missing file is kNotFound (for tools that only inspect).
  bool create_if_missing = true;
  // Open the file read-only: reads work, writes fail with kFailedPrecondition. For tools
  // that inspect a database they must not change.
  bool read_only = false;
  // Run PRAGMA quick_check at Open (reads the whole file: O(size)) and refuse a corrupt one.
  bool verify_on_open = false;
  // Upper bound for the database file (PRAGMA max_page_count); a write past it fails with
  // kIOError like a full disk. 0: no bound.
  int64_t max_db_bytes = 0;
  // Connections kept open for concurrent use; threads beyond this wait for one. More lets
  // more readers run in parallel; each costs a page cache (about 2 MB at most).
  int max_connections = 4;
};

// Opens (creating or migrating the schema when needed) the store. The clock drives TTL, LRU
// and the request window, and stamps rows with its wall time. The clock must outlive the store
// and its leases. Errors: kNotFound (missing and !create_if_missing), kIOError (cannot open or
// write), kDataLoss (corrupt), kFailedPrecondition (not a database, read-only file, schema
// newer than this reagent), each naming the file.
Result<std::unique_ptr<SessionStore>> OpenSqliteSessionStore(const SqliteSessionStoreOptions& options,
                                                             Clock& clock);

// The schema version this build writes (PRAGMA user_version).
int SqliteSessionSchemaVersion();

}  // namespace reagent
