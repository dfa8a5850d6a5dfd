// RetryPolicy: when a failed model call is tried again, and how long to wait first.
//
// The policy is a value (copy it freely); the waiting itself is done by RetryingModel on the
// injected Clock. Defaults follow the practice that keeps a batch alive through a 429 storm
// without multiplying load: exponential backoff with full jitter (base 0.5 s, cap 20 s),
// three attempts in all, the server's own hint honoured up to 60 s.
//
//   RetryPolicy policy{.max_attempts = 5, .backoff = BackoffKind::kDecorrelatedJitter};
//   Duration wait = policy.Backoff(/*retry=*/1, /*previous=*/Seconds(0.5), random);
#pragma once

#include <optional>
#include <string_view>

#include "reagent/core/clock.h"
#include "reagent/core/random.h"
#include "reagent/core/status.h"
#include "reagent/llm/model_error.h"

namespace reagent {

enum class BackoffKind {
  kFullJitter,          // U(0, min(cap, base·2^n)): spreads a herd best (AWS "full jitter")
  kEqualJitter,         // v/2 + U(0, v/2) with v = min(cap, base·2^n): never retries at once
  kDecorrelatedJitter,  // min(cap, U(base, 3·previous)): grows with the last actual wait
  kFixed,               // base every time
  kFibonacci,           // min(cap, base·fib(n+1)): 1,1,2,3,5… × base, gentler than doubling
};

// "full_jitter", "equal_jitter", "decorrelated", "fixed", "fibonacci".
std::string_view BackoffKindName(BackoffKind kind);
Result<BackoffKind> ParseBackoffKind(std::string_view name);

struct RetryPolicy {
  // Attempts in all, the first included (1 = never retry). More attempts ride out longer
  // incidents but hold the caller longer.
  int max_attempts = 3;
  // Backoff shape; see BackoffKind.
  BackoffKind backoff = BackoffKind::kFullJitter;
  // Scale of the first backoff. Smaller recovers faster from blips, larger spares the server.
  Duration base = Seconds(0.5);
  // Upper bound of one computed backoff (not of a server hint).
  Duration cap = Seconds(20);
  // The longest server hint (retry-after-ms, retry-after, x-ratelimit-reset-*) that is waited
  // out. A longer hint fails the call at once as rate_limited carrying the hint, so a caller
  // with a batch can schedule it instead of a thread sleeping for minutes.
  Duration max_hint_wait = Seconds(60);
  // Added to a server hint: a retry exactly at the reset instant can still land in the old
  // window when clocks differ. 0 by default so simulated waits equal the hint exactly.
  Duration hint_padding = Duration::zero();
  // Retry budget: retries may be at most this share of calls over the sliding window, plus
  // budget_min_retries, so a low-traffic caller can still retry while a storm cannot multiply
  // load. 0 disables retries under load entirely; 1 allows one retry per call.
  double budget_ratio = 0.1;
  Duration budget_window = Seconds(60);
  // Retries always allowed per window regardless of the ratio.
  int budget_min_retries = 10;

  // Validates the fields (attempts ≥ 1, non-negative durations, ratio in [0, 1]).
  Status Validate() const;

  // The computed wait before retry number `retry` (1 = the first retry, i.e. attempt 2).
  // `previous` is the last wait actually taken (decorrelated jitter grows from it; pass base
  // for the first retry). Draws from random only for the jittered kinds.
  Duration Backoff(int retry, Duration previous, Random& random) const;
};

// The wait the server asked for, in seconds, if it gave one: retry_after_s (already parsed
// from retry-after-ms / retry-after / HTTP date), else for a 429 the reset of whichever
// x-ratelimit bucket is empty (or the later reset when it cannot tell).
std::optional<double> ServerHintSeconds(const ModelError& error);

}  // namespace reagent
