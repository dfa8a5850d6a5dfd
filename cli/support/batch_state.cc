#include "support/batch_state.h"

#include <sqlite3.h>

#include <cstdio>
#include <mutex>

namespace reagent::cli {
namespace {

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

Status SqlError(sqlite3* db, const std::string& what) {
  return Status::IOError(what + ": " + sqlite3_errmsg(db) + " (" + sqlite3_errstr(sqlite3_extended_errcode(db)) + ")");
}

Status Exec(sqlite3* db, const char* sql, const std::string& path) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    return Status::IOError(path + ": " + message);
  }
  return Status::Ok();
}

}  // namespace

std::string Fingerprint(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Result<std::unique_ptr<BatchState>> BatchState::Open(const std::string& path,
                                                     const std::string& input_fingerprint) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::IOError("cannot open batch checkpoint " + path + ": " + sqlite3_errstr(rc));
    sqlite3_close(db);
    return s;
  }
  std::unique_ptr<BatchState> state(new BatchState(db));
  sqlite3_busy_timeout(db, 5000);
  Status s = Exec(db,
                  "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                  "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                  "CREATE TABLE IF NOT EXISTS items(idx INTEGER PRIMARY KEY, input_hash TEXT NOT NULL,"
                  " ok INTEGER NOT NULL, result TEXT NOT NULL);",
                  path);
  if (!s.ok()) return Status::DataLoss(s.message() + " (is it a batch checkpoint file?)");

  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key='input'", -1, &stmt, nullptr);
  std::string existing;
  if (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    existing = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (existing.empty()) {
    sqlite3_prepare_v2(db, "INSERT INTO meta(key, value) VALUES('input', ?)", -1, &stmt, nullptr);
    sqlite3_bind_text(stmt, 1, input_fingerprint.c_str(), -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return SqlError(db, path);
  } else if (existing != input_fingerprint) {
    return Status::FailedPrecondition(
        "batch checkpoint " + path +
        " belongs to a different input file (its content changed since the checkpoint was "
        "made); delete the checkpoint to start over, or pass the original input");
  }
  return state;
}

BatchState::~BatchState() { sqlite3_close(db_); }

Result<std::map<int64_t, std::string>> BatchState::Done() const {
  std::map<int64_t, std::string> done;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT idx, result FROM items ORDER BY idx", -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(db_, "reading batch checkpoint");
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    done[sqlite3_column_int64(stmt, 0)] = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqlError(db_, "reading batch checkpoint");
  return done;
}

Status BatchState::Record(int64_t index, const std::string& input_hash, bool ok,
                          const std::string& result_line) {
  std::lock_guard lock(WriteMutex());
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO items(idx, input_hash, ok, result) VALUES(?,?,?,?)",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return SqlError(db_, "recording batch item");
  }
  sqlite3_bind_int64(stmt, 1, index);
  sqlite3_bind_text(stmt, 2, input_hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(stmt, 3, ok ? 1 : 0);
  sqlite3_bind_text(stmt, 4, result_line.c_str(), static_cast<int>(result_line.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) return SqlError(db_, "recording batch item " + std::to_string(index));
  return Status::Ok();
}

}  // namespace reagent::cli
