// The SessionStore specification (session/testing/session_store_conformance.h) against
// RedisSessionStore on a real redis-server: each test gets a fresh key prefix on one
// server started for the whole binary.
#include <gtest/gtest.h>

#include <atomic>

#include "reagent/redis/redis_session_store.h"
#include "redis_server.h"

namespace reagent {
namespace {

class ConformanceTempDir;

// One server for the binary, started on first use and stopped at exit.
RedisServer& SharedServer() {
  static std::unique_ptr<RedisServer> server = [] {
    auto started = RedisServer::Start();
    if (!started.ok()) {
      ADD_FAILURE() << started.status();
      std::abort();
    }
    return std::move(*started);
  }();
  return *server;
}

struct RedisStore {
  static constexpr const char* kName = "Redis";
  static std::unique_ptr<SessionStore> Open(const SessionStoreOptions& o, Clock& clock, const ConformanceTempDir&) {
    static std::atomic<int> next{0};
    RedisSessionStoreOptions options{.client = {.url = SharedServer().url()},
                                     .prefix = "conformance" + std::to_string(++next),
                                     .store = o};
    auto store = OpenRedisSessionStore(options, clock);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
};

using ConformanceKinds = ::testing::Types<RedisStore>;

}  // namespace
}  // namespace reagent

#include "session_store_conformance.h"
