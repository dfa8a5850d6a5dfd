// SqliteResponseCache: a ResponseCache in a SQLite file, so cached answers survive restarts
// and are shared by the processes of one host (WAL mode, busy timeout). Expiry uses wall
// time (an entry written yesterday is judged by today's clock); LRU order is a use counter
// kept in the table.
//
//   Result<std::unique_ptr<SqliteResponseCache>> cache =
//       SqliteResponseCache::Open("/var/lib/app/responses.db", clock, {.ttl = Seconds(86400)});
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/response_cache.h"

struct sqlite3;
struct sqlite3_stmt;

namespace reagent {

class SqliteResponseCache final : public ResponseCache {
 public:
  // Opens or creates the database at `path` (":memory:" for a private one). Fails with
  // IOError naming the path when it cannot be opened or is not a reagent cache. The clock
  // must outlive the cache.
  static Result<std::unique_ptr<SqliteResponseCache>> Open(const std::string& path, Clock& clock,
                                                           ResponseCacheOptions options = {});
  ~SqliteResponseCache() override;
  SqliteResponseCache(const SqliteResponseCache&) = delete;
  SqliteResponseCache& operator=(const SqliteResponseCache&) = delete;

  // Entries stored, fresh or not. Thread-safe.
  int64_t size();

 protected:
  std::optional<ChatResponse> Load(const std::string& key) override;
  void Save(const std::string& key, const ChatResponse& response) override;

 private:
  SqliteResponseCache(sqlite3* db, std::string path, Clock& clock, ResponseCacheOptions options);
  Status Prepare();
  void LogError(const char* what);

  sqlite3* db_;
  const std::string path_;
  Clock& clock_;
  const ResponseCacheOptions options_;
  std::mutex mu_;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* touch_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* evict_ = nullptr;
};

}  // namespace reagent
