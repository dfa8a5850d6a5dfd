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
// The state lives in a BreakerStateStore (breaker_state.h): this process's by default, or one
// shared by several processes (redis/). A store that cannot be reached makes Allow refuse
// the call with the reason ("breaker state unavailable: …"): the breaker fails closed.
//
// Usage (FallbackChain does this for each model):
//   BreakerDecision d = breaker.Allow();
//   if (!d.allowed) { /* skip the model: d.reason */ }
//   ... call ...
//   breaker.Record(outcome);   // exactly once per allowed call
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/model_error.h"

namespace reagent {

class BreakerStateStore;

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

  // `name` labels transitions (the model name). The clock must outlive the breaker. `state`
  // keeps the state machine's memory; null: a private in-process store on `clock`.
  CircuitBreaker(std::string name, Clock& clock, BreakerOptions options = {},
                 std::shared_ptr<BreakerStateStore> state = nullptr);

  // Whether a call may go ahead now. An admitted call must be followed by exactly one
  // Record. Thread-safe.
  BreakerDecision Allow();
  // Reports how an admitted call ended; returns the transition it caused, if any.
  // Thread-safe.
  std::optional<BreakerTransition> Record(CallOutcome outcome);

  // Called (under no lock) for every transition. Set before sharing the breaker.
  void set_listener(Listener listener) { listener_ = std::move(listener); }

  // The current state (kOpen when a shared store cannot be reached: calls are refused).
  BreakerState state() const;
  const std::string& name() const { return name_; }
  const BreakerOptions& options() const { return options_; }

 private:
  void Notify(const std::optional<BreakerTransition>& t) const;

  const std::string name_;
  const BreakerOptions options_;
  const std::shared_ptr<BreakerStateStore> state_;
  Listener listener_;
};

}  // namespace reagent
