// Overrides of the resilience layer's defaults from JSON ("retry", "breaker", "limiter"
// objects of a config or scenario file; keys already validated by the file's parser).
#pragma once

#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/llm/circuit_breaker.h"
#include "reagent/llm/rate_limiter.h"
#include "reagent/llm/retry_policy.h"

namespace reagent {

// The keys each override object accepts (config files and scenarios alike).
inline const std::vector<std::string> kRetryKeys = {"max_attempts", "base_s", "cap_s",
                                                    "max_wait_s", "strategy", "budget_ratio"};
inline const std::vector<std::string> kRetryStringKeys = {"strategy"};
inline const std::vector<std::string> kBreakerKeys = {"failure_threshold", "open_s", "half_open_trials",
                                                      "window", "min_calls", "failure_ratio"};
inline const std::vector<std::string> kLimiterKeys = {"rpm", "tpm", "period_s", "concurrency"};
// The keys that are counts: integers in [0, INT32_MAX].
inline const std::vector<std::string> kRetryIntKeys = {"max_attempts"};
inline const std::vector<std::string> kBreakerIntKeys = {"failure_threshold", "half_open_trials",
                                                         "window", "min_calls"};
inline const std::vector<std::string> kLimiterIntKeys = {"concurrency"};

// max_attempts, base_s, cap_s, max_wait_s, budget_ratio, strategy (full_jitter, ...).
Status ApplyRetry(const Json& overrides, RetryPolicy& policy);
// failure_threshold, open_s, half_open_trials, window, min_calls, failure_ratio.
void ApplyBreaker(const Json& overrides, BreakerOptions& options);
// rpm, tpm (per period), period_s (default 60; when given, also the window of limits learned
// from headers instead of the one inferred from their resets), concurrency.
void ApplyLimiter(const Json& overrides, RateLimiterOptions& options);

}  // namespace reagent
