#include "sqlite_connection.h"

#include <utility>

namespace reagent::session_internal {
namespace {

// A session's summary: its row, and its latest ledger row, which carries the session's totals
// after that step (schema version 2). Its last access is the later of the row's (turn starts,
// Touch) and the latest step's. Columns as ReadInfo reads them.
#define SESSION_SUMMARY                                                                         \
  "s.user_id, s.created_at, max(s.last_access, coalesce(t.created_at, 0)), coalesce(t.step, 0), " \
  "coalesce(t.first_message + t.message_count, 0), coalesce(t.session_prompt_tokens, 0), "        \
  "coalesce(t.session_completion_tokens, 0), coalesce(t.session_cached_tokens, 0), "             \
  "coalesce(t.session_cost_usd, 0), coalesce(t.session_unpriced_steps, 0), s.metadata, "          \
  "s.last_access"
#define SESSION_WITH_LATEST_STEP                                                   \
  "sessions AS s LEFT JOIN steps AS t ON t.session_id = s.id AND t.step = "        \
  "(SELECT max(step) FROM steps WHERE session_id = s.id)"

// The text of each Sql statement, indexed by the enum.
constexpr const char* kSqlText[] = {
    /*kBeginWrite*/ "BEGIN IMMEDIATE",
    /*kBeginRead*/ "BEGIN",
    /*kCommit*/ "COMMIT",
    /*kRollback*/ "ROLLBACK",
    /*kInsertSession*/
    "INSERT INTO sessions(id, user_id, created_at, last_access, metadata) VALUES(?1, ?2, ?3, ?3, ?4)",
    /*kSelectSession*/
    "SELECT " SESSION_SUMMARY " FROM " SESSION_WITH_LATEST_STEP " WHERE s.id = ?1",
    /*kSelectMessages*/
    "SELECT m.role, m.content, m.name, m.tool_call_id, m.tool_calls FROM steps AS t JOIN messages AS m "
    "ON m.id >= t.first_rowid AND m.id < t.first_rowid + t.message_count "
    "WHERE t.session_id = ?1 ORDER BY t.step, m.id",
    /*kInsertMessage*/
    "INSERT INTO messages(id, session_id, seq, step, user_id, role, content, name, tool_call_id, tool_calls, "
    "tokens, created_at) VALUES(?12, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    /*kInsertStep*/
    "INSERT INTO steps(session_id, step, user_id, first_message, message_count, model, prompt_tokens, "
    "completion_tokens, cached_tokens, cost_usd, created_at, day, extra, first_rowid, "
    "session_prompt_tokens, session_completion_tokens, session_cached_tokens, session_cost_usd, "
    "session_unpriced_steps) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    /*kNextMessageId*/ "SELECT coalesce(max(id), 0) + 1 FROM messages",
    /*kTouch*/ "UPDATE sessions SET last_access = ?2 WHERE id = ?1",
    /*kDeleteSession*/ "DELETE FROM sessions WHERE id = ?1",
    /*kCountSessions*/ "SELECT count(*) FROM sessions",
    /*kEvictLru*/
    "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions AS s WHERE NOT EXISTS "
    "(SELECT 1 FROM turns AS t WHERE t.session_id = s.id AND t.started_at > ?1) "
    "ORDER BY last_access, id LIMIT ?2)",
    /*kPurgeExpired*/
    "DELETE FROM sessions WHERE last_access <= ?1 AND coalesce((SELECT created_at FROM steps "
    "WHERE session_id = sessions.id ORDER BY step DESC LIMIT 1), 0) <= ?1 AND NOT EXISTS "
    "(SELECT 1 FROM turns AS t WHERE t.session_id = sessions.id AND t.started_at > ?2)",
    /*kSessionLeases*/ "SELECT lease_id, pid, pid_start, started_at FROM turns WHERE session_id = ?1",
    /*kUserLeases*/ "SELECT lease_id, pid, pid_start, started_at FROM turns WHERE user_id = ?1",
    /*kAllLeases*/ "SELECT lease_id, pid, pid_start, started_at FROM turns",
    /*kInsertLease*/
    "INSERT INTO turns(lease_id, session_id, user_id, pid, pid_start, started_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    /*kDeleteLease*/ "DELETE FROM turns WHERE lease_id = ?1",
    /*kPruneRequests*/ "DELETE FROM requests WHERE user_id = ?1 AND at <= ?2",
    /*kWindowRequests*/ "SELECT count(*), min(at) FROM requests WHERE user_id = ?1",
    /*kInsertRequest*/ "INSERT INTO requests(user_id, at) VALUES(?1, ?2)",
    /*kListSessions*/
    "SELECT s.id, " SESSION_SUMMARY " FROM " SESSION_WITH_LATEST_STEP " "
    "WHERE ?1 = '' OR s.user_id = ?1 ORDER BY 4 DESC, s.id",
    /*kSelectSteps*/
    "SELECT step, first_message, message_count, model, prompt_tokens, completion_tokens, cached_tokens, "
    "cost_usd, created_at, extra FROM steps WHERE session_id = ?1 ORDER BY step",
    /*kUsageBySession*/
    "SELECT session_id, user_id, '', count(*), sum(prompt_tokens), sum(completion_tokens), "
    "sum(cached_tokens), total(cost_usd), count(*) - count(cost_usd) FROM steps "
    "WHERE (?1 = '' OR user_id = ?1) AND (?2 = '' OR session_id = ?2) GROUP BY session_id ORDER BY session_id",
    /*kUsageByUser*/
    "SELECT '', user_id, '', count(*), sum(prompt_tokens), sum(completion_tokens), "
    "sum(cached_tokens), total(cost_usd), count(*) - count(cost_usd) FROM steps "
    "WHERE (?1 = '' OR user_id = ?1) AND (?2 = '' OR session_id = ?2) GROUP BY user_id ORDER BY user_id",
    /*kUsageByDay*/
    "SELECT '', '', day, count(*), sum(prompt_tokens), sum(completion_tokens), "
    "sum(cached_tokens), total(cost_usd), count(*) - count(cost_usd) FROM steps "
    "WHERE (?1 = '' OR user_id = ?1) AND (?2 = '' OR session_id = ?2) GROUP BY day ORDER BY day",
    /*kUsageByUserDay*/
    "SELECT '', user_id, day, count(*), sum(prompt_tokens), sum(completion_tokens), "
    "sum(cached_tokens), total(cost_usd), count(*) - count(cost_usd) FROM steps "
    "WHERE (?1 = '' OR user_id = ?1) AND (?2 = '' OR session_id = ?2) GROUP BY user_id, day "
    "ORDER BY user_id, day",
};
static_assert(std::size(kSqlText) == static_cast<size_t>(Sql::kCount), "one text per Sql statement");
#undef SESSION_SUMMARY
#undef SESSION_WITH_LATEST_STEP

}  // namespace

Status SqliteStatus(int rc, sqlite3* db, std::string_view path, std::string_view doing) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string where = "session database " + std::string(path);
  std::string tail = " (" + std::string(doing) + ": " + detail + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(where + " is locked by another connection for longer than busy_timeout" + tail);
    case SQLITE_CORRUPT:
      return Status::DataLoss(where + " is corrupt" + tail);
    case SQLITE_NOTADB:
      return Status::FailedPrecondition(std::string(path) + " is not a SQLite database" + tail);
    case SQLITE_READONLY:
      return Status::FailedPrecondition(where + " is read-only" + tail);
    case SQLITE_FULL:
      return Status::IOError(where + " is full (disk full or max_db_bytes reached)" + tail);
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return Status::IOError("cannot read or write " + where + tail);
    case SQLITE_TOOBIG:
      return Status::InvalidArgument("a value is too big for " + where + tail);
    case SQLITE_CONSTRAINT:
      return Status::AlreadyExists("constraint violated in " + where + tail);
    default:
      return Status::Internal("unexpected SQLite error in " + where + tail);
  }
}

Statement& Statement::Bind(int i, std::string_view text) {
  int rc = sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_error_.ok()) bind_error_ = SqliteStatus(rc, db_, path_, "binding a value");
  return *this;
}
Statement& Statement::Bind(int i, int64_t value) {
  sqlite3_bind_int64(stmt_, i, value);
  return *this;
}
Statement& Statement::Bind(int i, double value) {
  sqlite3_bind_double(stmt_, i, value);
  return *this;
}
Statement& Statement::BindNull(int i) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}
Statement& Statement::BindOptional(int i, const std::optional<std::string>& text) {
  return text ? Bind(i, std::string_view(*text)) : BindNull(i);
}

Result<bool> Statement::Step() {
  if (!bind_error_.ok()) return bind_error_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteStatus(rc, db_, path_, sqlite3_sql(stmt_));
}

Status Statement::Run() {
  while (true) {
    REAGENT_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Status::Ok();
  }
}

std::string Statement::Text(int col) const { return std::string(TextView(col)); }

std::string_view Statement::TextView(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
}

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = SqliteStatus(rc, db, path, "opening");
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Connection>(new Connection(db, path));
}

Connection::~Connection() {
  for (sqlite3_stmt* s : cache_) sqlite3_finalize(s);
  sqlite3_close_v2(db_);
}

Status Connection::Exec(std::string_view sql, std::string_view doing) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, path_, doing);
  return Status::Ok();
}

Result<std::string> Connection::QueryText(std::string_view sql, std::string_view doing) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(rc, db_, path_, doing);
  }
  rc = sqlite3_step(stmt);
  std::string out;
  if (rc == SQLITE_ROW) {
    const unsigned char* p = sqlite3_column_text(stmt, 0);
    if (p != nullptr) out = reinterpret_cast<const char*>(p);
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteStatus(rc, db_, path_, doing);
  return out;
}

Result<Statement> Connection::Get(Sql which) {
  sqlite3_stmt*& slot = cache_[static_cast<size_t>(which)];
  if (slot == nullptr) {
    const char* text = kSqlText[static_cast<size_t>(which)];
    int rc = sqlite3_prepare_v3(db_, text, -1, SQLITE_PREPARE_PERSISTENT, &slot, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(slot);
      slot = nullptr;
      return SqliteStatus(rc, db_, path_, "preparing a statement");
    }
  }
  return Statement(slot, db_, path_);
}

Result<Transaction> Transaction::Begin(Connection& conn, bool write) {
  REAGENT_ASSIGN_OR_RETURN(Statement begin, conn.Get(write ? Sql::kBeginWrite : Sql::kBeginRead));
  REAGENT_RETURN_IF_ERROR(begin.Run());
  return Transaction(&conn);
}

Transaction::~Transaction() {
  if (conn_ == nullptr) return;
  auto rollback = conn_->Get(Sql::kRollback);
  if (rollback.ok()) (void)rollback->Run();
}

Status Transaction::Commit() {
  REAGENT_ASSIGN_OR_RETURN(Statement commit, conn_->Get(Sql::kCommit));
  Status s = commit.Run();
  if (s.ok()) conn_ = nullptr;
  return s;
}

}  // namespace reagent::session_internal
