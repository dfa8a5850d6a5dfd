// BreakerStateStore: where a CircuitBreaker's state machine keeps its memory (state,
// consecutive failures, the recent-calls window, when it opened, half-open trials) and
// applies its transitions atomically. In this process by default; a shared store (redis/)
// lets one replica's failures open the breaker for every replica, and one replica's
// successful trials close it for all.
//
//   auto shared = MakeLocalBreakerState(clock);    // or a Redis one (reagent/redis)
//   CircuitBreaker a("gpt-4.1", clock, {}, shared);
//   CircuitBreaker b("gpt-4.1", clock, {}, shared);  // a's five failures open b too
//
// A store applies the rules documented in circuit_breaker.h; it keeps its own time (the
// in-process one the injected Clock, a shared one a clock all replicas agree on). A store
// that cannot be reached returns a Status: the breaker then refuses calls (fails closed) and
// says why. Implementations are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/circuit_breaker.h"

namespace reagent {

class BreakerStateStore {
 public:
  virtual ~BreakerStateStore() = default;
  // CircuitBreaker::Allow's decision (including open → half_open after open_for).
  virtual Result<BreakerDecision> Allow(const BreakerOptions& options) = 0;
  // CircuitBreaker::Record's effect for one admitted call; the transition it caused.
  virtual Result<std::optional<BreakerTransition>> Record(const BreakerOptions& options, CallOutcome outcome) = 0;
  virtual Result<BreakerState> Load() = 0;
};

// The in-process store on the injected clock, which must outlive it.
std::shared_ptr<BreakerStateStore> MakeLocalBreakerState(Clock& clock);

// The texts of transitions and refusals, shared by every store so that a breaker reads the
// same whichever keeps its state.
namespace breaker_text {
std::string ConsecutiveFailures(int failures);        // "5 consecutive failures"
std::string WindowFailures(int failed, int calls);    // "10 of the last 20 calls failed"
std::string OpenedFor(Duration open_for);             // "open for 60.0 s"
std::string TrialFailed();                            // "a trial call failed"
std::string TrialsSucceeded(int trials);              // "3 trial calls succeeded"
std::string StillOpen(Duration retry_in);             // "circuit open, next trial in 42.0 s"
std::string TrialsInFlight(int trials);               // "circuit half-open, 3 trial calls already in flight"
}  // namespace breaker_text

}  // namespace reagent
