// Model-side state shared by every replica through Redis, behind the llm/ interfaces:
//
//   - MakeRedisPacingState: a RateLimiter's request and token buckets (pacing_state.h), so N
//     replicas configured with the provider's 600 RPM together send at most 600 a minute
//     instead of 600 each;
//   - MakeRedisBreakerState: a CircuitBreaker's state machine (breaker_state.h), so one
//     replica's failures open the breaker for all, and one set of trials closes it for all;
//   - RedisResponseCache: cached deterministic answers (response_cache.h) with a Redis TTL
//     and an LRU bound, so a question answered on one replica is a hit on every other.
//
//   auto redis = RedisClient::Open({.url = "redis://10.0.0.5:6379/0"});
//   ResilientModelSpec spec{.model = gpt41, .model_name = "gpt-4.1"};
//   spec.pacing_state = MakeRedisPacingState(*redis, "gpt-4.1@api.openai.com", {}, clock);
//   spec.breaker_state = MakeRedisBreakerState(*redis, "gpt-4.1@api.openai.com", {});
//   auto cache = std::make_shared<RedisResponseCache>(*redis, RedisSharedStateOptions{}, ResponseCacheOptions{});
//
// Every update is one Lua script, atomic on the server. Time is Redis's own (TIME inside the
// scripts): refills, pauses, the breaker's cool-down and cache expiry are measured on one
// clock that every replica shares, however far the replicas' clocks drift. (Waits come back
// as durations, slept on each replica's injected clock.)
// When Redis cannot be reached, the default is to fail closed: a limiter reservation fails
// (the call is not sent, kUnavailable), a breaker refuses calls, a cache read fails the
// call. fail_open = true instead paces from a bucket of this process alone, or treats the
// cache as a miss, with a warning when the outage starts and a note when it ends. Breakers
// always fail closed: a breaker that cannot tell should not let a flood through.
#pragma once

#include <memory>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/llm/breaker_state.h"
#include "reagent/llm/pacing_state.h"
#include "reagent/llm/response_cache.h"
#include "reagent/redis/redis_client.h"

namespace reagent {
namespace redis_internal {
class OutageNote;
}

struct RedisSharedStateOptions {
  // Keys are "<prefix>:pace:{<name>}", "<prefix>:breaker:{<name>}", "<prefix>:cache:<hash>".
  std::string prefix = "reagent";
  // On a Redis failure, carry on from this process alone instead of failing the call
  // (pacing and cache only). Replicas then each pace to the full limit until Redis is back,
  // so together they may exceed it.
  bool fail_open = false;
};

// `name` identifies what is paced: one provider limit (model and endpoint, or the API key's
// organisation). `clock` paces the fail-open fallback and must outlive the state.
std::shared_ptr<PacingState> MakeRedisPacingState(std::shared_ptr<RedisClient> client, const std::string& name,
                                                  const RedisSharedStateOptions& options, Clock& clock);

// `name` identifies the breaker (the model and endpoint it guards).
std::shared_ptr<BreakerStateStore> MakeRedisBreakerState(std::shared_ptr<RedisClient> client, const std::string& name,
                                                         const RedisSharedStateOptions& options);

// Entries expire by Redis TTL (ResponseCacheOptions::ttl) and the least recently used go
// beyond max_entries; a read refreshes an entry's LRU position, not its TTL.
class RedisResponseCache final : public ResponseCache {
 public:
  RedisResponseCache(std::shared_ptr<RedisClient> client, RedisSharedStateOptions options,
                     ResponseCacheOptions cache = {});
  ~RedisResponseCache() override;

  // Entries currently indexed (including ones Redis expired since). Thread-safe.
  Result<int64_t> size();

 protected:
  std::optional<ChatResponse> Load(const std::string& key) override;
  Result<std::optional<ChatResponse>> TryLoad(const std::string& key) override;
  void Save(const std::string& key, const ChatResponse& response) override;

 private:
  std::shared_ptr<RedisClient> client_;
  const RedisSharedStateOptions options_;
  const ResponseCacheOptions cache_;
  std::unique_ptr<redis_internal::OutageNote> outage_;
};

}  // namespace reagent
