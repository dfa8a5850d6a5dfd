#include "sqlite_schema.h"

#include <cstdlib>
#include <string>

namespace reagent::session_internal {
namespace {

// kMigrations[i] takes a database from user_version i to i + 1.
constexpr const char* kMigrations[] = {
    // 0 -> 1: sessions, their messages, the usage ledger, running turns, recent requests.
    R"sql(
CREATE TABLE sessions(
  id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,          -- unix microseconds
  last_access INTEGER NOT NULL,         -- unix microseconds; drives TTL and LRU
  step_count INTEGER NOT NULL DEFAULT 0,
  message_count INTEGER NOT NULL DEFAULT 0,
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,     -- sum over priced steps
  unpriced_steps INTEGER NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT 'null' -- JSON
) WITHOUT ROWID;
CREATE INDEX sessions_by_access ON sessions(last_access);
CREATE INDEX sessions_by_user ON sessions(user_id, last_access);

-- One row per message. The message is the OpenAI JSON object split into columns, so a load
-- reads text without parsing JSON per message; tool_calls stays JSON and message_json
-- reassembles the whole object for SQL users.
CREATE TABLE messages(
  session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,                 -- 0-based position in the history
  step INTEGER NOT NULL,                -- the step (steps.step) that appended it
  user_id TEXT NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  tool_call_id TEXT NOT NULL DEFAULT '',
  tool_calls TEXT,                      -- JSON array, NULL when none
  tokens INTEGER,                       -- NULL when unknown
  created_at INTEGER NOT NULL,
  message_json TEXT GENERATED ALWAYS AS (json_object('role', role, 'content', content,
    'name', nullif(name, ''), 'tool_call_id', nullif(tool_call_id, ''),
    'tool_calls', json(tool_calls))) VIRTUAL,
  PRIMARY KEY(session_id, seq)
) WITHOUT ROWID;

-- The usage ledger: one row per step. It has no foreign key on purpose: it outlives deleted
-- and evicted sessions, because what was spent stays spent.
CREATE TABLE steps(
  session_id TEXT NOT NULL,
  step INTEGER NOT NULL,                -- 1-based
  user_id TEXT NOT NULL,
  first_message INTEGER NOT NULL,
  message_count INTEGER NOT NULL,
  model TEXT NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  cost_usd REAL,                        -- NULL: unpriced
  created_at INTEGER NOT NULL,
  day TEXT NOT NULL,                    -- UTC 'YYYY-MM-DD'
  extra TEXT,                           -- JSON
  PRIMARY KEY(session_id, step)
) WITHOUT ROWID;
CREATE INDEX steps_by_user_day ON steps(user_id, day);
CREATE INDEX steps_by_day ON steps(day);

-- Running turns. A row names its process (pid and start time), so survivors release the
-- turns of a process that died.
CREATE TABLE turns(
  lease_id TEXT PRIMARY KEY NOT NULL,
  session_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  pid INTEGER NOT NULL,
  pid_start INTEGER NOT NULL,
  started_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX turns_by_user ON turns(user_id);
CREATE INDEX turns_by_session ON turns(session_id);

-- Turn starts inside the sliding request window, per user.
CREATE TABLE requests(user_id TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX requests_by_user ON requests(user_id, at);
)sql",
    // 1 -> 2: a step is appended in three pages. Version 1 wrote seven or more per step: the
    // ledger row and two indexes, the messages clustered by session (splitting often, the
    // rows being large), and the session row with both of its indexes, because its totals and
    // last access changed every step. Now:
    //  - messages is a rowid table appended in key order (one page, the rightmost); a step's
    //    messages have consecutive ids and its ledger row points at the first (first_rowid),
    //    so a load walks the session's ledger rows, not an index over every message;
    //  - the session's totals after each step live in that step's ledger row (the session's
    //    latest row is its summary), so the session row is written per turn, not per step;
    //  - the ledger keeps one index, by user and day (per-user daily budgets, stats), and
    //    drops the one by day (its queries scan the ledger anyway).
    // A session's last access is the later of its row's (turn starts, Touch) and its latest
    // step's time. Deleting a session deletes its messages through a trigger.
    R"sql(
CREATE TABLE messages_v2(
  id INTEGER PRIMARY KEY,               -- append order; a step's messages are consecutive
  session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,                 -- 0-based position in the session's history
  step INTEGER NOT NULL,                -- the step (steps.step) that appended it
  user_id TEXT NOT NULL,
  role TEXT NOT NULL,
  content TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  tool_call_id TEXT NOT NULL DEFAULT '',
  tool_calls TEXT,                      -- JSON array, NULL when none
  tokens INTEGER,                       -- NULL when unknown
  created_at INTEGER NOT NULL,
  message_json TEXT GENERATED ALWAYS AS (json_object('role', role, 'content', content,
    'name', nullif(name, ''), 'tool_call_id', nullif(tool_call_id, ''),
    'tool_calls', json(tool_calls))) VIRTUAL
);
INSERT INTO messages_v2(session_id, seq, step, user_id, role, content, name, tool_call_id,
                        tool_calls, tokens, created_at)
  SELECT session_id, seq, step, user_id, role, content, name, tool_call_id, tool_calls, tokens,
         created_at
  FROM messages ORDER BY session_id, seq;
DROP TABLE messages;
ALTER TABLE messages_v2 RENAME TO messages;

ALTER TABLE steps ADD COLUMN first_rowid INTEGER;  -- messages.id of the step's first message
ALTER TABLE steps ADD COLUMN session_prompt_tokens INTEGER NOT NULL DEFAULT 0;  -- session totals
ALTER TABLE steps ADD COLUMN session_completion_tokens INTEGER NOT NULL DEFAULT 0;  -- after
ALTER TABLE steps ADD COLUMN session_cached_tokens INTEGER NOT NULL DEFAULT 0;  -- this step
ALTER TABLE steps ADD COLUMN session_cost_usd REAL NOT NULL DEFAULT 0;  -- over priced steps
ALTER TABLE steps ADD COLUMN session_unpriced_steps INTEGER NOT NULL DEFAULT 0;
CREATE INDEX migration_messages ON messages(session_id, seq);
UPDATE steps SET first_rowid = (SELECT id FROM messages AS m
                                WHERE m.session_id = steps.session_id AND m.seq = steps.first_message)
  WHERE message_count > 0;
DROP INDEX migration_messages;
UPDATE steps SET session_prompt_tokens = t.p, session_completion_tokens = t.c,
                 session_cached_tokens = t.k, session_cost_usd = t.cost, session_unpriced_steps = t.u
  FROM (SELECT session_id AS sid, step AS st, sum(prompt_tokens) OVER w AS p,
               sum(completion_tokens) OVER w AS c, sum(cached_tokens) OVER w AS k,
               total(cost_usd) OVER w AS cost, sum(cost_usd IS NULL) OVER w AS u
        FROM steps WINDOW w AS (PARTITION BY session_id ORDER BY step)) AS t
  WHERE steps.session_id = t.sid AND steps.step = t.st;
DROP INDEX steps_by_day;

ALTER TABLE sessions DROP COLUMN step_count;
ALTER TABLE sessions DROP COLUMN message_count;
ALTER TABLE sessions DROP COLUMN prompt_tokens;
ALTER TABLE sessions DROP COLUMN completion_tokens;
ALTER TABLE sessions DROP COLUMN cached_tokens;
ALTER TABLE sessions DROP COLUMN cost_usd;
ALTER TABLE sessions DROP COLUMN unpriced_steps;

CREATE TRIGGER sessions_delete_messages AFTER DELETE ON sessions BEGIN
  DELETE FROM messages WHERE id IN (
    SELECT m.id FROM steps AS t JOIN messages AS m
      ON m.id >= t.first_rowid AND m.id < t.first_rowid + t.message_count
    WHERE t.session_id = OLD.id);
  UPDATE steps SET first_rowid = NULL WHERE session_id = OLD.id AND first_rowid IS NOT NULL;
END;
)sql",
};
static_assert(std::size(kMigrations) == kSchemaVersion, "one migration per schema version");

Result<int> UserVersion(Connection& conn) {
  REAGENT_ASSIGN_OR_RETURN(std::string v, conn.QueryText("PRAGMA user_version", "reading the schema version"));
  return std::stoi(v.empty() ? "0" : v);
}

Result<bool> HasForeignTables(Connection& conn) {
  Result<std::string> n =
      conn.QueryText("SELECT count(*) FROM sqlite_schema WHERE type = 'table'", "reading the schema");
  if (!n.ok()) return n.status();
  return std::atoi(n->c_str()) > 0;
}

Status CheckVersion(Connection& conn, int version) {
  if (version > kSchemaVersion) {
    return Status::FailedPrecondition(
        "session database " + conn.path() + " has schema version " + std::to_string(version) +
        ", newer than this reagent understands (" + std::to_string(kSchemaVersion) +
        "); open it with a newer reagent");
  }
  return Status::Ok();
}

}  // namespace

const char* MigrationSql(int from) { return kMigrations[from]; }

Status EnsureSchema(Connection& conn, bool read_only) {
  REAGENT_ASSIGN_OR_RETURN(int version, UserVersion(conn));
  REAGENT_RETURN_IF_ERROR(CheckVersion(conn, version));
  if (version == kSchemaVersion) return Status::Ok();
  if (read_only) {
    return Status::FailedPrecondition("session database " + conn.path() + " has schema version " +
                                      std::to_string(version) + " and needs a migration to " +
                                      std::to_string(kSchemaVersion) + ", which a read-only open cannot do");
  }
  // Another process may be migrating too: decide under the write lock.
  REAGENT_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(conn, /*write=*/true));
  REAGENT_ASSIGN_OR_RETURN(version, UserVersion(conn));
  REAGENT_RETURN_IF_ERROR(CheckVersion(conn, version));
  if (version == 0) {
    REAGENT_ASSIGN_OR_RETURN(bool foreign, HasForeignTables(conn));
    if (foreign) {
      return Status::FailedPrecondition("session database " + conn.path() +
                                        " is a SQLite database of another application (it has tables "
                                        "but no reagent schema); refusing to touch it");
    }
  }
  for (int v = version; v < kSchemaVersion; ++v) {
    REAGENT_RETURN_IF_ERROR(conn.Exec(kMigrations[v], "migrating the schema to version " + std::to_string(v + 1)));
  }
  REAGENT_RETURN_IF_ERROR(conn.Exec("PRAGMA user_version = " + std::to_string(kSchemaVersion),
                                    "writing the schema version"));
  return txn.Commit();
}

}  // namespace reagent::session_internal
