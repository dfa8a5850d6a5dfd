#include "reagent/llm/response_cache.h"

#include <utility>

#include "reagent/core/sha256.h"

namespace reagent {

std::string CanonicalRequest(const ChatRequest& request) {
  nlohmann::json j = nlohmann::json::object();
  j["model"] = request.model;
  j["messages"] = request.messages;
  nlohmann::json tools = nlohmann::json::array();
  for (const ToolSpec& t : request.tools) {
    tools.push_back({{"name", t.name}, {"description", t.description}, {"parameters", t.parameters}});
  }
  j["tools"] = std::move(tools);
  j["tool_choice"] = request.tool_choice;
  j["temperature"] = request.temperature ? nlohmann::json(*request.temperature) : nlohmann::json();
  j["max_tokens"] = request.max_tokens ? nlohmann::json(*request.max_tokens) : nlohmann::json();
  j["stop"] = request.stop;
  j["response_format"] = request.response_format;
  // nlohmann's objects are ordered maps: dump() is canonical. Invalid UTF-8 is replaced rather
  // than thrown on, so any request has a key.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string RequestCacheKey(const ChatRequest& request) {
  return Sha256Hex(CanonicalRequest(request));
}

bool IsCacheable(const ChatRequest& request, bool allow_nondeterministic) {
  return allow_nondeterministic || (request.temperature && *request.temperature == 0.0);
}

// --- ResponseCache --------------------------------------------------------------------------

std::optional<ChatResponse> ResponseCache::Get(const std::string& key) {
  Result<std::optional<ChatResponse>> found = Fetch(key);
  return found.ok() ? *std::move(found) : std::nullopt;
}

Result<std::optional<ChatResponse>> ResponseCache::Fetch(const std::string& key) {
  REAGENT_ASSIGN_OR_RETURN(std::optional<ChatResponse> found, TryLoad(key));
  if (!found) {
    ++misses_;
    return std::optional<ChatResponse>();
  }
  ++hits_;
  if (found->usage.cost_usd) {
    std::lock_guard lock(cost_mu_);
    saved_cost_usd_ += *found->usage.cost_usd;
  }
  return found;
}

void ResponseCache::Put(const std::string& key, const ChatResponse& response) {
  if (response.cache_hit) return;  // already stored
  Save(key, response);
}

CacheStats ResponseCache::stats() const {
  CacheStats s{.hits = hits_.load(), .misses = misses_.load(), .evictions = evictions_.load()};
  std::lock_guard lock(cost_mu_);
  s.saved_cost_usd = saved_cost_usd_;
  return s;
}

// --- InMemoryResponseCache ------------------------------------------------------------------

InMemoryResponseCache::InMemoryResponseCache(Clock& clock, ResponseCacheOptions options)
    : clock_(clock), options_(options) {}

size_t InMemoryResponseCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

std::optional<ChatResponse> InMemoryResponseCache::Load(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  if (clock_.Now() >= it->second->expires) {
    lru_.erase(it->second);
    index_.erase(it);
    CountEvictions(1);
    return std::nullopt;
  }
  lru_.splice(lru_.begin(), lru_, it->second);  // most recently used
  return it->second->response;
}

void InMemoryResponseCache::Save(const std::string& key, const ChatResponse& response) {
  if (options_.max_entries == 0) return;
  std::lock_guard lock(mu_);
  const TimePoint expires = clock_.Now() + options_.ttl;
  if (auto it = index_.find(key); it != index_.end()) {
    it->second->response = response;
    it->second->expires = expires;
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(Entry{.key = key, .response = response, .expires = expires});
  index_[key] = lru_.begin();
  int64_t evicted = 0;
  while (lru_.size() > options_.max_entries) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
    ++evicted;
  }
  if (evicted) CountEvictions(evicted);
}

// --- JSON form ------------------------------------------------------------------------------

nlohmann::json CachedResponseToJson(const ChatResponse& r) {
  nlohmann::json calls = nlohmann::json::array();
  for (const ToolCall& c : r.tool_calls) calls.push_back(c);
  return {{"id", r.id},          {"model", r.model},         {"content", r.content},
          {"tool_calls", calls}, {"finish_reason", r.finish_reason}, {"usage", r.usage}};
}

Result<ChatResponse> CachedResponseFromJson(const nlohmann::json& j) {
  if (!j.is_object()) return Status::DataLoss("cached response is not a JSON object");
  try {
    ChatResponse r;
    r.id = j.value("id", "");
    r.model = j.value("model", "");
    r.content = j.at("content").get<std::string>();
    r.finish_reason = j.value("finish_reason", "");
    for (const auto& c : j.at("tool_calls")) r.tool_calls.push_back(c.get<ToolCall>());
    Result<Usage> usage = UsageFromJson(j.at("usage"));
    if (!usage.ok()) return usage.status().WithContext("cached response usage");
    r.usage = *usage;
    return r;
  } catch (const nlohmann::json::exception& e) {
    return Status::DataLoss(std::string("cached response: ") + e.what());
  }
}

}  // namespace reagent
