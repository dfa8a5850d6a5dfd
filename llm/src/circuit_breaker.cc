#include "reagent/llm/circuit_breaker.h"

#include <utility>

#include "reagent/core/logging.h"
#include "reagent/llm/breaker_state.h"

namespace reagent {

Status BreakerOptions::Validate() const {
  if (failure_threshold < 1) return Status::InvalidArgument("breaker.failure_threshold must be >= 1");
  if (!(failure_rate > 0 && failure_rate <= 1)) {
    return Status::InvalidArgument("breaker.failure_rate must be in (0, 1]");
  }
  if (window_calls < 1 || min_calls < 1 || min_calls > window_calls) {
    return Status::InvalidArgument("breaker needs 1 <= min_calls <= window_calls");
  }
  if (open_for < Duration::zero()) return Status::InvalidArgument("breaker.open_s must be >= 0");
  if (half_open_trials < 1) return Status::InvalidArgument("breaker.half_open_trials must be >= 1");
  return Status::Ok();
}

std::string_view BreakerStateName(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "unknown";
}

CallOutcome OutcomeOf(const ModelError& error) {
  if (error.kind == ModelErrorKind::kCancelled) return CallOutcome::kIgnored;
  return error.transient() ? CallOutcome::kFailure : CallOutcome::kSuccess;
}

CircuitBreaker::CircuitBreaker(std::string name, Clock& clock, BreakerOptions options,
                               std::shared_ptr<BreakerStateStore> state)
    : name_(std::move(name)), options_(options),
      state_(state ? std::move(state) : MakeLocalBreakerState(clock)) {}

BreakerState CircuitBreaker::state() const {
  auto state = state_->Load();
  return state.ok() ? *state : BreakerState::kOpen;
}

void CircuitBreaker::Notify(const std::optional<BreakerTransition>& t) const {
  if (t && listener_) listener_(name_, *t);
}

BreakerDecision CircuitBreaker::Allow() {
  Result<BreakerDecision> decision = state_->Allow(options_);
  if (!decision.ok()) {
    // Fails closed: a breaker that cannot tell whether the model is healthy lets nothing
    // through, and says why (the chain reports it as this model's reason).
    return BreakerDecision{.allowed = false, .reason = "breaker state unavailable: " + decision.status().message(),
                           .retry_in = Seconds(1)};
  }
  Notify(decision->transition);
  return *std::move(decision);
}

std::optional<BreakerTransition> CircuitBreaker::Record(CallOutcome outcome) {
  Result<std::optional<BreakerTransition>> transition = state_->Record(options_, outcome);
  if (!transition.ok()) {
    Logger()->warn("breaker {}: the outcome of a call was not recorded: {}", name_, transition.status().message());
    return std::nullopt;
  }
  Notify(*transition);
  return *transition;
}

}  // namespace reagent
