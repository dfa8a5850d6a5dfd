// Cached responses as "<prefix>:cache:<request hash>" strings with a Redis TTL, indexed for
// LRU in "<prefix>:cache:lru" (score: last use, µs of Redis TIME).
#include "outage_note.h"
#include "reagent/core/json.h"
#include "reagent/redis/redis_shared_state.h"

namespace reagent {
namespace {

constexpr const char* kTime = R"lua(
local t = redis.call('TIME')
local NOW = t[1] .. string.format('%06d', tonumber(t[2]))
)lua";

const RedisScript& GetScript() {
  // KEYS: entry, lru index. ARGV: the request hash.
  static const RedisScript script(std::string(kTime) + R"lua(
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return false
end
redis.call('ZADD', KEYS[2], NOW, ARGV[1])
return v
)lua");
  return script;
}

const RedisScript& PutScript() {
  // KEYS: entry, lru index. ARGV: hash, response JSON, ttl ms, max entries, entry key prefix
  // → entries evicted
  static const RedisScript script(std::string(kTime) + R"lua(
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], NOW, ARGV[1])
local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
local evicted = 0
if excess > 0 then
  local oldest = redis.call('ZPOPMIN', KEYS[2], excess)
  for i = 1, #oldest, 2 do evicted = evicted + redis.call('DEL', ARGV[5] .. oldest[i]) end
end
return evicted
)lua");
  return script;
}

}  // namespace

RedisResponseCache::RedisResponseCache(std::shared_ptr<RedisClient> client, RedisSharedStateOptions options,
                                       ResponseCacheOptions cache)
    : client_(std::move(client)), options_(std::move(options)), cache_(cache),
      outage_(std::make_unique<redis_internal::OutageNote>("shared response cache (" + client_->endpoint().Display() +
                                                           ")")) {}

RedisResponseCache::~RedisResponseCache() = default;

Result<int64_t> RedisResponseCache::size() {
  REAGENT_ASSIGN_OR_RETURN(RedisReply r, client_->Command({"ZCARD", options_.prefix + ":cache:lru"}));
  return r.AsInt();
}

Result<std::optional<ChatResponse>> RedisResponseCache::TryLoad(const std::string& key) {
  const std::string entry = options_.prefix + ":cache:" + key;
  auto r = client_->Eval(GetScript(), {entry, options_.prefix + ":cache:lru"}, {key});
  if (!r.ok()) {
    Status s = r.status().WithContext("shared response cache");
    if (!options_.fail_open) return s;
    outage_->Failed(s);
    return std::optional<ChatResponse>();
  }
  outage_->Succeeded();
  if (r->is_nil()) return std::optional<ChatResponse>();
  auto json = ParseJson(r->str, "cached response");
  auto response = json.ok() ? CachedResponseFromJson(*json) : Result<ChatResponse>(json.status());
  if (!response.ok()) {
    // A damaged entry is dropped, never served.
    Logger()->warn("shared response cache: dropping {}: {}", entry, response.status().message());
    (void)client_->Command({"DEL", entry});
    return std::optional<ChatResponse>();
  }
  return std::optional<ChatResponse>(*std::move(response));
}

std::optional<ChatResponse> RedisResponseCache::Load(const std::string& key) {
  auto found = TryLoad(key);
  return found.ok() ? *std::move(found) : std::nullopt;
}

void RedisResponseCache::Save(const std::string& key, const ChatResponse& response) {
  if (cache_.max_entries == 0) return;
  const std::string ttl_ms =
      std::to_string(std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(cache_.ttl).count()));
  auto r = client_->Eval(PutScript(), {options_.prefix + ":cache:" + key, options_.prefix + ":cache:lru"},
                         {key, DumpJson(CachedResponseToJson(response)), ttl_ms, std::to_string(cache_.max_entries),
                          options_.prefix + ":cache:"});
  if (!r.ok()) {
    // A cache that cannot write is a slower cache, not a failed call.
    if (options_.fail_open) {
      outage_->Failed(r.status().WithContext("shared response cache"));
    } else {
      Logger()->warn("shared response cache: {}", r.status().message());
    }
    return;
  }
  outage_->Succeeded();
  if (r->AsInt() > 0) CountEvictions(r->AsInt());
}

}  // namespace reagent
