// CircuitBreaker: stops sending calls to a model that keeps failing, and lets a few trial
// calls through after a cool-down to see whether it has recovered.
//
//   closed ──(5 consecutive failures, or ≥ 50 % of the last 20 with ≥ 10 calls)──▶ open
//   open ──(60 s)──▶ half_open ──(3 trial calls succeed)──▶ closed
//                       └──(a trial fails)──▶ open (for another 60 s)
//
// Only transient failures count (ModelError::transient(): 5xx, overloaded, timeout, network,
// malformed response, and a 429 that survived the retries). A 400, a quota error or a content
// filter says nothing about the model's health: it is recorded as a healthy response.
// Every transition is returned as a BreakerTransition (and passed to the listener, if any)
// with the reason, so callers can emit ModelEvent::kBreakerTransition.
//
// Usage (FallbackChain does this for each model):
//   BreakerDecision d = breaker.Allow();
//   if (!d.allowed) { /* skip the model: d.reason */ }
//   ... call ...
//   breaker.Record(outcome);   // exactly once per allowed call
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/model_error.h"

namespace reagent {

struct BreakerOptions {
  // Consecutive transient failures that open the breaker. Lower reacts faster to an outage,
  // higher tolerates blips.
  int failure_threshold = 5;
  // Failure share over the last `window_calls` calls that opens the breaker, once at least
  // `min_calls` are in the window: catches a model failing every other call, which never
  // produces 5 in a row.
  double failure_rate = 0.5;
  int window_calls = 20;
  int min_calls = 10;
  // How long the breaker stays open before letting trial calls through. Shorter finds
  // recovery sooner but probes a sick provider more often.
  Duration open_for = Seconds(60);
  // Trial calls admitted in half-open; all must succeed to close, any failure re-opens.
  int half_open_trials = 3;

  Status Validate() const;
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };
// "closed", "open", "half_open".
std::string_view BreakerStateName(BreakerState state);

struct BreakerTransition {
  BreakerState from = BreakerState::kClosed;
  BreakerState to = BreakerState::kClosed;
  std::string reason;  // "5 consecutive failures", "open for 60.0 s", "3 trial calls succeeded"
};

struct BreakerDecision {
  bool allowed = true;
  std::string reason;                       // why not, when !allowed
  Duration retry_in{0};                     // when !allowed: time until a trial is admitted
  std::optional<BreakerTransition> transition;  // open → half_open happened on this call
};

enum class CallOutcome {
  kSuccess,  // a response came back (including non-transient errors such as a 400)
  kFailure,  // a transient failure: the model looks unhealthy
  kIgnored,  // the call ended without telling anything (cancelled by the caller)
};
// kFailure for transient errors, kIgnored for cancellation, kSuccess for the rest.
CallOutcome OutcomeOf(const ModelError& error);

class CircuitBreaker {
 public:
  using Listener = std::function<void(const std::string& name, const BreakerTransition&)>;

  // `name` labels transitions (the model name). The clock must outlive the breaker.
  CircuitBreaker(std::string name, Clock& clock, BreakerOptions options = {});

  // Whether a call may go ahead now. An admitted call must be followed by exactly one
  // Record. Thread-safe.
  BreakerDecision Allow();
  // Reports how an admitted call ended; returns the transition it caused, if any.
  // Thread-safe.
  std::optional<BreakerTransition> Record(CallOutcome outcome);

  // Called (under no lock) for every transition. Set before sharing the breaker.
  void set_listener(Listener listener) { listener_ = std::move(listener); }

  BreakerState state() const;
  const std::string& name() const { return name_; }
  const BreakerOptions& options() const { return options_; }

 private:
  std::optional<BreakerTransition> MoveTo(BreakerState to, std::string reason);  // requires mu_
  void Notify(const std::optional<BreakerTransition>& t) const;

  const std::string name_;
  Clock& clock_;
  const BreakerOptions options_;
  Listener listener_;

  mutable std::mutex mu_;
  BreakerState state_ = BreakerState::kClosed;
  int consecutive_failures_ = 0;
  std::deque<bool> window_;  // true = failure; the last window_calls outcomes while closed
  int window_failures_ = 0;
  TimePoint opened_at_{};
  int trials_admitted_ = 0;
  int trials_succeeded_ = 0;
};

}  // namespace reagent
