// CachingModel: a ChatModel that answers repeated deterministic requests from a
// ResponseCache and calls the model below it otherwise. Put it in front of the fallback
// chain: a hit then costs no call, no retry, no limiter slot.
//
// A hit is a response with cache_hit = true, attempts = 0, the original token counts
// zeroed and cost_usd = 0 (nothing was spent); a ModelEvent::kCacheHit on request.on_event
// reports the cost it saved. Streaming callers get the cached reply as deltas. Errors are
// never cached. A cache that cannot be read (ResponseCache::Fetch fails: a shared cache set to
// fail closed) fails the call with kUnavailable before anything is sent.
#pragma once

#include <memory>
#include <string>

#include "reagent/llm/chat_model.h"
#include "reagent/llm/response_cache.h"

namespace reagent {

struct CachingOptions {
  // Cache requests whose temperature is not explicitly 0 too (e.g. a test harness replaying
  // the same prompts). Off by default: a cached sample is not what a sampling caller wants.
  bool allow_nondeterministic = false;
};

class CachingModel final : public ChatModel {
 public:
  // inner and cache are shared (one cache may front several chains).
  CachingModel(std::shared_ptr<ChatModel> inner, std::shared_ptr<ResponseCache> cache,
               CachingOptions options = {});

  // Thread-safe when inner and cache are.
  ChatResult Complete(const ChatRequest& request) override;
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override;
  std::string name() const override { return inner_->name(); }

  ResponseCache& cache() { return *cache_; }

 private:
  ChatResult Run(const ChatRequest& request, const DeltaCallback* on_delta);

  std::shared_ptr<ChatModel> inner_;
  std::shared_ptr<ResponseCache> cache_;
  CachingOptions options_;
};

}  // namespace reagent
