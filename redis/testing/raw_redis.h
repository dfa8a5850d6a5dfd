// The benchmark's baseline: a bare hiredis connection (no pool, no Status, replies freed
// unread) sending exactly what RedisSessionStore sends for AppendStep and Load — the same
// scripts (EVALSHA) with the same arguments, built ahead of the timed loop. The difference
// to the store is what the store adds: argument building, the pool, reply conversion,
// decoding messages into Message values.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/redis/redis_session_store.h"

struct redisContext;

namespace reagent {

class RawRedis {
 public:
  static Result<std::unique_ptr<RawRedis>> Connect(const std::string& url);
  ~RawRedis();
  RawRedis(const RawRedis&) = delete;
  RawRedis& operator=(const RawRedis&) = delete;

  // The ARGV the store would send (see redis/src/session_commands.h).
  static std::vector<std::string> AppendStepArgs(const RedisSessionStoreOptions& o, std::string_view session_id,
                                                 const StepRecord& step, WallTime now);
  static std::vector<std::string> LoadArgs(const RedisSessionStoreOptions& o, std::string_view session_id, WallTime now);

  // One EVALSHA of the store's script; false on any error (connection or error reply).
  bool AppendStep(const std::vector<std::string>& args);
  bool Load(const std::vector<std::string>& args);

 private:
  explicit RawRedis(redisContext* c) : c_(c) {}
  bool Eval(const std::string& sha, const std::vector<std::string>& args);
  std::string Sha(const std::string& source);

  redisContext* c_;
  std::string append_sha_, load_sha_;
};

}  // namespace reagent
