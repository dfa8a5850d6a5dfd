#include "reagent/runtime/shared_state.h"

#include <cstdlib>
#include <map>
#include <mutex>

#include "reagent/llm/sqlite_response_cache.h"
#include "reagent/redis/redis_session_store.h"
#include "reagent/redis/redis_shared_state.h"

namespace reagent {
namespace {

RedisClientOptions ClientOptions(const std::string& url, const RedisConfig& c) {
  return RedisClientOptions{.url = url, .connect_timeout = Seconds(c.connect_timeout_s),
                            .command_timeout = Seconds(c.command_timeout_s),
                            .max_connections = static_cast<int>(c.pool_size)};
}

// What the limiter and breaker keys say a model is: its name and the endpoint it is called at.
std::string ModelKey(const ModelConfig& m) {
  std::string base = m.base_url;
  if (base.empty()) {
    const char* env = std::getenv("OPENAI_BASE_URL");
    base = env && *env ? env : "https://api.openai.com/v1";
  }
  return m.model + "@" + base;
}

}  // namespace

bool IsRedisUrl(std::string_view s) {
  return s.starts_with("redis://") || s.starts_with("rediss://") || s.starts_with("unix://");
}

Result<std::shared_ptr<RedisClient>> SharedRedisClient(const std::string& url, const RedisConfig& config) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<RedisClient>> clients;
  std::lock_guard lock(mu);
  std::weak_ptr<RedisClient>& slot = clients[url];
  if (auto live = slot.lock()) return live;
  REAGENT_ASSIGN_OR_RETURN(std::shared_ptr<RedisClient> client, RedisClient::Open(ClientOptions(url, config)));
  slot = client;
  return client;
}

Result<std::shared_ptr<SessionStore>> OpenRedisSessions(const std::string& url, const Config& c) {
  auto client = SharedRedisClient(url, c.redis);
  if (!client.ok()) return client.status().WithContext("sessions.backend");
  RedisSessionStoreOptions o;
  o.prefix = c.redis.prefix;
  o.lease_ttl = Seconds(c.redis.lease_ttl_s);
  o.expired_retention = Seconds(c.redis.expired_retention_s);
  o.store.ttl = Seconds(c.session_ttl_s);
  o.store.max_sessions = c.max_sessions;
  o.store.max_concurrent_turns_per_user = static_cast<int>(c.max_concurrent_per_user);
  o.store.max_requests_per_window = static_cast<int>(c.requests_per_minute);
  o.store.busy_wait = Seconds(c.session_busy_wait_s);
  auto store = OpenRedisSessionStore(std::move(*client), o, SystemClock::Default());
  if (!store.ok()) return store.status().WithContext("sessions.backend");
  return std::shared_ptr<SessionStore>(std::move(*store));
}

Status AttachSharedModelState(const Config& c, std::vector<ResilientModelSpec>& specs, Clock& clock) {
  const std::string pacing_url = c.limiter.value("shared", "");
  const std::string breaker_url = c.breaker.value("shared", "");
  if (pacing_url.empty() && breaker_url.empty()) return Status::Ok();
  for (size_t i = 0; i < specs.size() && i < c.models.size(); ++i) {
    const ModelConfig& m = c.models[i];
    if (!m.shared_state) continue;
    if (!pacing_url.empty()) {
      auto client = SharedRedisClient(pacing_url, c.redis);
      if (!client.ok()) return client.status().WithContext("limiter.shared");
      specs[i].pacing_state = MakeRedisPacingState(
          *client, ModelKey(m), {.prefix = c.redis.prefix, .fail_open = c.redis.fail_open_limiter}, clock);
    }
    if (!breaker_url.empty()) {
      auto client = SharedRedisClient(breaker_url, c.redis);
      if (!client.ok()) return client.status().WithContext("breaker.shared");
      specs[i].breaker_state = MakeRedisBreakerState(*client, ModelKey(m), {.prefix = c.redis.prefix});
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<ResponseCache>> MakeResponseCache(const Config& c, Clock& clock) {
  if (c.cache_backend.empty()) {
    auto cache = SqliteResponseCache::Open(ResolveCachePath(c), clock);
    if (!cache.ok()) return cache.status().WithContext("cache");
    return std::shared_ptr<ResponseCache>(std::move(*cache));
  }
  auto client = SharedRedisClient(c.cache_backend, c.redis);
  if (!client.ok()) return client.status().WithContext("cache");
  return std::shared_ptr<ResponseCache>(std::make_shared<RedisResponseCache>(
      std::move(*client), RedisSharedStateOptions{.prefix = c.redis.prefix, .fail_open = c.redis.fail_open_cache}));
}

std::string RedactedRedisUrl(const std::string& url) {
  auto endpoint = RedisEndpoint::Parse(url);
  return endpoint.ok() ? endpoint->Display() : "(invalid redis URL)";
}

Json RedisConfigJson(const RedisConfig& c) {
  Json fail_open = Json::array();
  if (c.fail_open_limiter) fail_open.push_back("limiter");
  if (c.fail_open_cache) fail_open.push_back("cache");
  return {{"prefix", c.prefix},
          {"connect_timeout_s", c.connect_timeout_s},
          {"command_timeout_s", c.command_timeout_s},
          {"pool_size", c.pool_size},
          {"lease_ttl_s", c.lease_ttl_s},
          {"expired_retention_s", c.expired_retention_s},
          {"fail_open", fail_open}};
}

}  // namespace reagent
