#include "reagent/llm/circuit_breaker.h"

#include <cstdio>
#include <utility>

#include "failure_reason.h"

namespace reagent {

using internal::FormatSeconds;

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

CircuitBreaker::CircuitBreaker(std::string name, Clock& clock, BreakerOptions options)
    : name_(std::move(name)), clock_(clock), options_(options) {}

BreakerState CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::optional<BreakerTransition> CircuitBreaker::MoveTo(BreakerState to, std::string reason) {
  BreakerTransition t{.from = state_, .to = to, .reason = std::move(reason)};
  state_ = to;
  consecutive_failures_ = 0;
  window_.clear();
  window_failures_ = 0;
  trials_admitted_ = 0;
  trials_succeeded_ = 0;
  if (to == BreakerState::kOpen) opened_at_ = clock_.Now();
  return t;
}

void CircuitBreaker::Notify(const std::optional<BreakerTransition>& t) const {
  if (t && listener_) listener_(name_, *t);
}

BreakerDecision CircuitBreaker::Allow() {
  BreakerDecision decision;
  {
    std::lock_guard lock(mu_);
    if (state_ == BreakerState::kOpen) {
      const Duration open_since = clock_.Now() - opened_at_;
      if (open_since < options_.open_for) {
        decision.allowed = false;
        decision.retry_in = options_.open_for - open_since;
        decision.reason = "circuit open, next trial in " + FormatSeconds(decision.retry_in);
        return decision;
      }
      decision.transition =
          MoveTo(BreakerState::kHalfOpen, "open for " + FormatSeconds(options_.open_for));
    }
    if (state_ == BreakerState::kHalfOpen) {
      if (trials_admitted_ >= options_.half_open_trials) {
        decision.allowed = false;
        decision.reason = "circuit half-open, " + std::to_string(options_.half_open_trials) +
                          " trial calls already in flight";
      } else {
        ++trials_admitted_;
      }
    }
  }
  Notify(decision.transition);
  return decision;
}

std::optional<BreakerTransition> CircuitBreaker::Record(CallOutcome outcome) {
  std::optional<BreakerTransition> transition;
  {
    std::lock_guard lock(mu_);
    if (outcome == CallOutcome::kIgnored) {
      if (state_ == BreakerState::kHalfOpen && trials_admitted_ > 0) --trials_admitted_;
      return std::nullopt;
    }
    const bool failed = outcome == CallOutcome::kFailure;
    switch (state_) {
      case BreakerState::kClosed: {
        consecutive_failures_ = failed ? consecutive_failures_ + 1 : 0;
        window_.push_back(failed);
        window_failures_ += failed;
        if (static_cast<int>(window_.size()) > options_.window_calls) {
          window_failures_ -= window_.front();
          window_.pop_front();
        }
        const int calls = static_cast<int>(window_.size());
        if (consecutive_failures_ >= options_.failure_threshold) {
          transition = MoveTo(BreakerState::kOpen,
                              std::to_string(consecutive_failures_) + " consecutive failures");
        } else if (calls >= options_.min_calls &&
                   window_failures_ >= options_.failure_rate * calls) {
          transition = MoveTo(BreakerState::kOpen, std::to_string(window_failures_) + " of the last " +
                                                       std::to_string(calls) + " calls failed");
        }
        break;
      }
      case BreakerState::kHalfOpen:
        if (failed) {
          transition = MoveTo(BreakerState::kOpen, "a trial call failed");
        } else if (++trials_succeeded_ >= options_.half_open_trials) {
          transition = MoveTo(BreakerState::kClosed,
                              options_.half_open_trials == 1
                                  ? std::string("the trial call succeeded")
                                  : std::to_string(options_.half_open_trials) +
                                        " trial calls succeeded");
        }
        break;
      case BreakerState::kOpen:
        // A call admitted before the breaker opened finished late: already accounted for.
        break;
    }
  }
  Notify(transition);
  return transition;
}

}  // namespace reagent
