// State that several replicas share, as the configuration places it: the session store
// (sessions.backend / --db: "sqlite:PATH" or a redis:// URL), the pacing buckets
// (limiter.shared), the breakers (breaker.shared) and the response cache (cache). With none
// of these set, everything stays in this process and its SQLite file, as before.
//
// Redis clients are shared per URL within the process: the store, pacing, breakers and the
// cache on one Redis use one connection pool.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/llm/response_cache.h"
#include "reagent/redis/redis_client.h"
#include "reagent/runtime/config.h"
#include "reagent/session/session_store.h"

namespace reagent {

// redis://, rediss:// or unix:// (rediss:// is then refused with a clear reason).
bool IsRedisUrl(std::string_view s);

// The process's client for `url` with the config's timeouts and pool size (connected on first
// use of a URL: kUnavailable / kPermissionDenied naming it when Redis cannot be reached).
Result<std::shared_ptr<RedisClient>> SharedRedisClient(const std::string& url, const RedisConfig& config);

// The Redis session store at `url` with the config's session rules and Redis settings.
Result<std::shared_ptr<SessionStore>> OpenRedisSessions(const std::string& url, const Config& config);

// Gives each model spec (in config.models order; shared_state models only) its Redis pacing
// and breaker state when limiter.shared / breaker.shared are set. Keys are per model and
// endpoint ("gpt-4.1@https://api.openai.com/v1"), so replicas configured alike share them.
Status AttachSharedModelState(const Config& config, std::vector<ResilientModelSpec>& specs, Clock& clock);

// The response cache "cache" names: in Redis for a URL, else the SQLite file ResolveCachePath
// names (it serves across runs).
Result<std::shared_ptr<ResponseCache>> MakeResponseCache(const Config& config, Clock& clock);

// "redis://:***@host:6379/0": a URL as config check and errors show it.
std::string RedactedRedisUrl(const std::string& url);

// The effective "redis" section, for config check.
Json RedisConfigJson(const RedisConfig& config);

}  // namespace reagent
