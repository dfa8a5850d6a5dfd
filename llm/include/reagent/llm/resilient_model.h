// The resilience stack from plain options, for the agent, the CLI and embedders:
//
//   FallbackChain ─▶ [breaker] RetryingModel ─▶ RateLimitedModel ─▶ model   (per model)
//
// each model guarded by its own CircuitBreaker, retried by one RetryingModel (the only retry
// layer), paced by its own RateLimiter (or one shared per endpoint), all retries drawing on
// one RetryBudget. Wrap the result in a CachingModel (caching_model.h) to add a response
// cache in front.
//
//   auto chain = MakeResilientModel({{.model = gpt41}, {.model = mini}},
//                                   {.retry = {.max_attempts = 3}}, clock, random);
//   ChatResult r = chain->Complete(request);   // r->model, r->fallbacks, r->attempts
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/random.h"
#include "reagent/llm/chat_model.h"
#include "reagent/llm/breaker_state.h"
#include "reagent/llm/circuit_breaker.h"
#include "reagent/llm/fallback_chain.h"
#include "reagent/llm/pacing_state.h"
#include "reagent/llm/rate_limiter.h"
#include "reagent/llm/retry_budget.h"
#include "reagent/llm/retry_policy.h"

namespace reagent {

struct ResilienceOptions {
  RetryPolicy retry;
  BreakerOptions breaker;
  // false: no breakers (every call tries every model in order).
  bool use_breakers = true;
  // Pacing for each model that brings no limiter of its own; the default paces nothing but
  // caps concurrency at 10 and learns limits from the provider's headers.
  RateLimiterOptions limiter;
  // false: no client-side limiter at all.
  bool use_limiters = true;
};

// One model of the chain.
struct ResilientModelSpec {
  std::shared_ptr<ChatModel> model;
  // The name put into requests; empty: model->name().
  std::string model_name;
  // This model's limits, overriding ResilienceOptions::limiter.
  std::optional<RateLimiterOptions> limits;
  // A limiter shared with other models of the same endpoint/key; overrides `limits`.
  std::shared_ptr<RateLimiter> shared_limiter;
  // Where this model's limiter keeps its buckets and its breaker its state (pacing_state.h,
  // breaker_state.h); null: in this process. A shared state (e.g. in Redis) makes several
  // processes pace against one limit and see one breaker.
  std::shared_ptr<PacingState> pacing_state;
  std::shared_ptr<BreakerStateStore> breaker_state;
};

// Validates the options (InvalidArgument naming the bad field) and builds the chain. The
// clock and random must outlive it. The breakers are reachable through
// FallbackChain::entries().
Result<std::shared_ptr<FallbackChain>> MakeResilientModel(std::vector<ResilientModelSpec> models,
                                                          const ResilienceOptions& options,
                                                          Clock& clock, Random& random);

}  // namespace reagent
