// A thin, honest wrapper over one sqlite3 connection: result codes become Status values that
// name the database file, statements are prepared once per connection and reused, and a
// scoped transaction rolls back unless committed.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <string_view>

#include "reagent/core/status.h"

namespace reagent::session_internal {

// Maps a SQLite result code to a Status naming the file and what was being done.
Status SqliteStatus(int rc, sqlite3* db, std::string_view path, std::string_view doing);

// A prepared statement borrowed from a Connection; resets and clears its bindings when the
// borrow ends, so the next use starts clean.
class Statement {
 public:
  Statement(sqlite3_stmt* stmt, sqlite3* db, const std::string& path) : stmt_(stmt), db_(db), path_(path) {}
  Statement(Statement&& other) noexcept
      : stmt_(other.stmt_), db_(other.db_), path_(other.path_), bind_error_(std::move(other.bind_error_)) {
    other.stmt_ = nullptr;
  }
  ~Statement() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  Statement& Bind(int i, std::string_view text);
  Statement& Bind(int i, int64_t value);
  Statement& Bind(int i, double value);
  Statement& BindNull(int i);
  // Binds text, or NULL when absent.
  Statement& BindOptional(int i, const std::optional<std::string>& text);

  // Steps once: true with a row, false when done; errors become a Status.
  Result<bool> Step();
  // Steps to completion (for statements that return no rows).
  Status Run();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;
  std::string_view TextView(int col) const;

 private:
  sqlite3_stmt* stmt_;
  sqlite3* db_;
  const std::string& path_;
  Status bind_error_;
};

// The statements the store runs; each connection prepares each at most once.
enum class Sql : int {
  kBeginWrite, kBeginRead, kCommit, kRollback,
  kInsertSession, kSelectSession, kSelectMessages, kInsertMessage, kInsertStep,
  kNextMessageId, kTouch, kDeleteSession, kCountSessions, kEvictLru, kPurgeExpired,
  kSessionLeases, kUserLeases, kAllLeases, kInsertLease, kDeleteLease,
  kPruneRequests, kWindowRequests, kInsertRequest,
  kListSessions, kSelectSteps,
  kUsageBySession, kUsageByUser, kUsageByDay, kUsageByUserDay,
  kCount  // number of statements
};

class Connection {
 public:
  // Opens path with the given sqlite3_open_v2 flags; the Status names the file.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }
  const std::string& path() const { return path_; }

  // Runs one or more statements without results (schema, pragmas).
  Status Exec(std::string_view sql, std::string_view doing);
  // Runs a single-value query (PRAGMA user_version, journal_mode).
  Result<std::string> QueryText(std::string_view sql, std::string_view doing);

  // The cached prepared statement (prepared on first use).
  Result<Statement> Get(Sql which);

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::array<sqlite3_stmt*, static_cast<size_t>(Sql::kCount)> cache_{};
};

// BEGIN on construction (IMMEDIATE for writers, so lock upgrades never deadlock), ROLLBACK on
// destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Connection& conn, bool write);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}
  Connection* conn_;
};

}  // namespace reagent::session_internal
