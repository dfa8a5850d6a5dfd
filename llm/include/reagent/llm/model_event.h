// Events the model layer reports while serving one call: what the agent's observer and the
// CLI show ("retrying in 2.0 s after 429", "falling back to gpt-4.1-mini").
#pragma once

#include <functional>
#include <string>

#include "reagent/core/clock.h"

namespace reagent {

struct ModelEvent {
  enum class Kind {
    kRetry,              // attempt `attempt` failed; waiting `wait` before the next
    kLimiterWait,        // the client-side rate limiter made the call wait `wait`
    kBreakerTransition,  // `model`'s breaker moved from `from_state` to `to_state`
    kFallback,           // `model` failed or is unavailable; moving on to `to_model`
    kCacheHit,           // served from the response cache; `saved_cost_usd` not spent
  };
  Kind kind = Kind::kRetry;
  std::string model;
  int attempt = 0;
  Duration wait{0};
  std::string reason;       // "rate_limited (429)", "5 consecutive failures", ...
  std::string from_state;   // breaker: "closed" | "open" | "half_open"
  std::string to_state;
  std::string to_model;     // fallback target
  double saved_cost_usd = 0;
};

using ModelEventCallback = std::function<void(const ModelEvent&)>;

}  // namespace reagent
