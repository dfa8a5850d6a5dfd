// The SessionStore specification (session/testing/session_store_conformance.h) run against
// the SQLite store (a real file) and the in-memory store, which must agree exactly.
#include <gtest/gtest.h>

#include "reagent/session/in_memory_session_store.h"
#include "reagent/session/sqlite_session_store.h"

namespace reagent {
namespace {

class ConformanceTempDir;

struct SqliteStore {
  static constexpr const char* kName = "Sqlite";
  static std::unique_ptr<SessionStore> Open(const SessionStoreOptions& o, Clock& clock, const ConformanceTempDir& dir);
};

struct MemoryStore {
  static constexpr const char* kName = "InMemory";
  static std::unique_ptr<SessionStore> Open(const SessionStoreOptions& o, Clock& clock, const ConformanceTempDir&) {
    return MakeInMemorySessionStore(o, clock);
  }
};

using ConformanceKinds = ::testing::Types<SqliteStore, MemoryStore>;

}  // namespace
}  // namespace reagent

#include "session_store_conformance.h"

namespace reagent {
namespace {

std::unique_ptr<SessionStore> SqliteStore::Open(const SessionStoreOptions& o, Clock& clock,
                                                const ConformanceTempDir& dir) {
  auto store = OpenSqliteSessionStore({.path = dir.File("sessions.db"), .store = o}, clock);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

}  // namespace
}  // namespace reagent
