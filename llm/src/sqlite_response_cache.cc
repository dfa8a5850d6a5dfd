#include "reagent/llm/sqlite_response_cache.h"

#include <sqlite3.h>

#include <utility>

#include "reagent/core/json.h"
#include "reagent/core/logging.h"

namespace reagent {
namespace {

// Another process holding the write lock: wait this long before giving up on one statement.
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
  PRAGMA journal_mode = WAL;
  CREATE TABLE IF NOT EXISTS reagent_response_cache (
    key        TEXT PRIMARY KEY,
    response   TEXT NOT NULL,
    expires_at REAL NOT NULL,
    last_used  INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS reagent_response_cache_lru ON reagent_response_cache(last_used);
)sql";

// Holds a statement's bindings for one use and resets it afterwards.
class Use {
 public:
  explicit Use(sqlite3_stmt* s) : s_(s) {}
  ~Use() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

 private:
  sqlite3_stmt* s_;
};

}  // namespace

Result<std::unique_ptr<SqliteResponseCache>> SqliteResponseCache::Open(
    const std::string& path, Clock& clock, ResponseCacheOptions options) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string message = "cannot open response cache " + path + ": " +
                          (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return Status::IOError(std::move(message));
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::unique_ptr<SqliteResponseCache> cache(
      new SqliteResponseCache(db, path, clock, options));
  char* error = nullptr;
  if (sqlite3_exec(db, kSchema, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = "response cache " + path + ": " + (error ? error : "schema failed");
    sqlite3_free(error);
    return Status::IOError(std::move(message));
  }
  REAGENT_RETURN_IF_ERROR(cache->Prepare());
  return cache;
}

SqliteResponseCache::SqliteResponseCache(sqlite3* db, std::string path, Clock& clock,
                                         ResponseCacheOptions options)
    : db_(db), path_(std::move(path)), clock_(clock), options_(options) {}

SqliteResponseCache::~SqliteResponseCache() {
  for (sqlite3_stmt* s : {select_, touch_, remove_, upsert_, evict_}) sqlite3_finalize(s);
  sqlite3_close(db_);
}

Status SqliteResponseCache::Prepare() {
  struct {
    sqlite3_stmt** stmt;
    const char* sql;
  } statements[] = {
      {&select_, "SELECT response, expires_at FROM reagent_response_cache WHERE key = ?1"},
      {&touch_,
       "UPDATE reagent_response_cache SET last_used = "
       "(SELECT COALESCE(MAX(last_used), 0) + 1 FROM reagent_response_cache) WHERE key = ?1"},
      {&remove_, "DELETE FROM reagent_response_cache WHERE key = ?1"},
      {&upsert_,
       "INSERT OR REPLACE INTO reagent_response_cache(key, response, expires_at, last_used) "
       "VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(last_used), 0) + 1 FROM reagent_response_cache))"},
      {&evict_,
       "DELETE FROM reagent_response_cache WHERE expires_at <= ?1 OR key IN (SELECT key FROM "
       "reagent_response_cache ORDER BY last_used DESC LIMIT -1 OFFSET ?2)"},
  };
  for (auto& [stmt, sql] : statements) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) != SQLITE_OK) {
      return Status::IOError("response cache " + path_ + ": " + sqlite3_errmsg(db_));
    }
  }
  return Status::Ok();
}

void SqliteResponseCache::LogError(const char* what) {
  Logger()->warn("response cache {}: {} failed: {}", path_, what, sqlite3_errmsg(db_));
}

int64_t SqliteResponseCache::size() {
  std::lock_guard lock(mu_);
  sqlite3_stmt* count = nullptr;
  int64_t n = 0;
  if (sqlite3_prepare_v2(db_, "SELECT COUNT(*) FROM reagent_response_cache", -1, &count,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(count) == SQLITE_ROW) {
    n = sqlite3_column_int64(count, 0);
  }
  sqlite3_finalize(count);
  return n;
}

std::optional<ChatResponse> SqliteResponseCache::Load(const std::string& key) {
  std::lock_guard lock(mu_);
  std::string text;
  double expires_at = 0;
  {
    Use use(select_);
    sqlite3_bind_text(select_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    int rc = sqlite3_step(select_);
    if (rc != SQLITE_ROW) {
      if (rc != SQLITE_DONE) LogError("lookup");
      return std::nullopt;
    }
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(select_, 0));
    text.assign(data ? data : "", static_cast<size_t>(sqlite3_column_bytes(select_, 0)));
    expires_at = sqlite3_column_double(select_, 1);
  }
  auto remove = [&] {
    Use use(remove_);
    sqlite3_bind_text(remove_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    if (sqlite3_step(remove_) != SQLITE_DONE) LogError("delete");
    CountEvictions(sqlite3_changes(db_));
  };
  if (ToUnixSeconds(clock_.WallNow()) >= expires_at) {
    remove();
    return std::nullopt;
  }
  Result<Json> json = ParseJson(text, "response cache " + path_);
  Result<ChatResponse> response = json.ok() ? CachedResponseFromJson(*json) : json.status();
  if (!response.ok()) {  // a damaged row is dropped, not served
    Logger()->warn("{}", response.status().ToString());
    remove();
    return std::nullopt;
  }
  Use use(touch_);
  sqlite3_bind_text(touch_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
  if (sqlite3_step(touch_) != SQLITE_DONE) LogError("touch");
  return *std::move(response);
}

void SqliteResponseCache::Save(const std::string& key, const ChatResponse& response) {
  if (options_.max_entries == 0) return;
  std::lock_guard lock(mu_);
  const std::string text = DumpJson(CachedResponseToJson(response));
  const double now = ToUnixSeconds(clock_.WallNow());
  {
    Use use(upsert_);
    sqlite3_bind_text(upsert_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(upsert_, 2, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    sqlite3_bind_double(upsert_, 3, now + ToSeconds(options_.ttl));
    if (sqlite3_step(upsert_) != SQLITE_DONE) {
      LogError("store");
      return;
    }
  }
  Use use(evict_);
  sqlite3_bind_double(evict_, 1, now);
  sqlite3_bind_int64(evict_, 2, static_cast<sqlite3_int64>(options_.max_entries));
  if (sqlite3_step(evict_) != SQLITE_DONE) {
    LogError("evict");
    return;
  }
  CountEvictions(sqlite3_changes(db_));
}

}  // namespace reagent
