// ResponseCache: answers a repeated deterministic request without calling the model.
//
// The key is the SHA-256 of the request's canonical JSON (model, messages, tools,
// tool_choice, temperature, max_tokens, stop, response_format — everything that shapes the
// answer, nothing that does not: deadline, cancellation, callbacks). Only deterministic
// requests are cached (temperature explicitly 0, unless the caller allows more), because a
// cached sample of a temperature-0.8 request is an answer the user did not ask for.
// Entries expire after a TTL and the least recently used go first beyond the size bound.
//
// Storage is pluggable behind a small interface in the spdlog-sink shape: the public,
// non-virtual Get/Put keep the hit/miss counters, implementations only load and save.
// Two are provided: InMemoryResponseCache (default) and SqliteResponseCache (survives
// restarts, shared by processes on one host).
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/chat_model.h"

namespace reagent {

struct ResponseCacheOptions {
  // Entries kept; the least recently used is evicted beyond it. Larger hits more, costs memory
  // (or disk) in proportion to the replies.
  size_t max_entries = 1000;
  // How long an entry answers. Longer saves more, but serves answers the model might no
  // longer give (a model update, a changed price).
  Duration ttl = Seconds(3600);
};

struct CacheStats {
  int64_t hits = 0;
  int64_t misses = 0;
  int64_t evictions = 0;        // LRU and TTL removals
  double saved_cost_usd = 0;    // what the hits would have cost (priced models only)
};

// The canonical JSON text of what shapes a request's answer (sorted keys, no whitespace).
std::string CanonicalRequest(const ChatRequest& request);
// SHA-256 hex of CanonicalRequest.
std::string RequestCacheKey(const ChatRequest& request);
// Deterministic enough to cache: temperature explicitly 0, or anything when
// allow_nondeterministic.
bool IsCacheable(const ChatRequest& request, bool allow_nondeterministic = false);

class ResponseCache {
 public:
  virtual ~ResponseCache() = default;

  // The stored response for `key`, if present and fresh; counts a hit (adding the response's
  // cost to saved_cost_usd) or a miss. Thread-safe.
  std::optional<ChatResponse> Get(const std::string& key);
  // As Get, but a store that cannot be read says so instead of answering "miss" (a shared
  // cache configured to fail closed); CachingModel then fails the call unsent. Thread-safe.
  Result<std::optional<ChatResponse>> Fetch(const std::string& key);
  // Stores a successful response. Thread-safe. Errors of a persistent store are logged and
  // otherwise ignored: a cache that cannot write is a slower cache, not a failed call.
  void Put(const std::string& key, const ChatResponse& response);

  CacheStats stats() const;

 protected:
  virtual std::optional<ChatResponse> Load(const std::string& key) = 0;
  // What Fetch asks; stores that can fail to answer override it. Default: Load.
  virtual Result<std::optional<ChatResponse>> TryLoad(const std::string& key) { return Load(key); }
  virtual void Save(const std::string& key, const ChatResponse& response) = 0;
  void CountEvictions(int64_t n) { evictions_ += n; }

 private:
  std::atomic<int64_t> hits_{0}, misses_{0}, evictions_{0};
  mutable std::mutex cost_mu_;
  double saved_cost_usd_ = 0;
};

// In memory: an LRU list with per-entry expiry on the injected clock. Thread-safe.
class InMemoryResponseCache final : public ResponseCache {
 public:
  // The clock must outlive the cache.
  InMemoryResponseCache(Clock& clock, ResponseCacheOptions options = {});
  size_t size() const;

 protected:
  std::optional<ChatResponse> Load(const std::string& key) override;
  void Save(const std::string& key, const ChatResponse& response) override;

 private:
  struct Entry {
    std::string key;
    ChatResponse response;
    TimePoint expires;
  };
  Clock& clock_;
  const ResponseCacheOptions options_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// A stored response as JSON and back (what a persistent cache writes).
nlohmann::json CachedResponseToJson(const ChatResponse& response);
Result<ChatResponse> CachedResponseFromJson(const nlohmann::json& j);

}  // namespace reagent
