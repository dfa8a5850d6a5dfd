// The breaker's state machine in this process (what CircuitBreaker uses by default), and the
// texts every store shares.
#include "reagent/llm/breaker_state.h"

#include <deque>
#include <mutex>

#include "failure_reason.h"

namespace reagent {

using internal::FormatSeconds;

namespace breaker_text {
std::string ConsecutiveFailures(int failures) { return std::to_string(failures) + " consecutive failures"; }
std::string WindowFailures(int failed, int calls) {
  return std::to_string(failed) + " of the last " + std::to_string(calls) + " calls failed";
}
std::string OpenedFor(Duration open_for) { return "open for " + FormatSeconds(open_for); }
std::string TrialFailed() { return "a trial call failed"; }
std::string TrialsSucceeded(int trials) {
  return trials == 1 ? std::string("the trial call succeeded") : std::to_string(trials) + " trial calls succeeded";
}
std::string StillOpen(Duration retry_in) { return "circuit open, next trial in " + FormatSeconds(retry_in); }
std::string TrialsInFlight(int trials) {
  return "circuit half-open, " + std::to_string(trials) + " trial calls already in flight";
}
}  // namespace breaker_text

namespace {

class LocalBreakerState final : public BreakerStateStore {
 public:
  explicit LocalBreakerState(Clock& clock) : clock_(clock) {}

  Result<BreakerDecision> Allow(const BreakerOptions& options) override {
    BreakerDecision decision;
    std::lock_guard lock(mu_);
    if (state_ == BreakerState::kOpen) {
      const Duration open_since = clock_.Now() - opened_at_;
      if (open_since < options.open_for) {
        decision.allowed = false;
        decision.retry_in = options.open_for - open_since;
        decision.reason = breaker_text::StillOpen(decision.retry_in);
        return decision;
      }
      decision.transition = MoveTo(BreakerState::kHalfOpen, breaker_text::OpenedFor(options.open_for));
    }
    if (state_ == BreakerState::kHalfOpen) {
      if (trials_admitted_ >= options.half_open_trials) {
        decision.allowed = false;
        decision.reason = breaker_text::TrialsInFlight(options.half_open_trials);
      } else {
        ++trials_admitted_;
      }
    }
    return decision;
  }

  Result<std::optional<BreakerTransition>> Record(const BreakerOptions& options, CallOutcome outcome) override {
    std::lock_guard lock(mu_);
    if (outcome == CallOutcome::kIgnored) {
      if (state_ == BreakerState::kHalfOpen && trials_admitted_ > 0) --trials_admitted_;
      return std::optional<BreakerTransition>();
    }
    const bool failed = outcome == CallOutcome::kFailure;
    switch (state_) {
      case BreakerState::kClosed: {
        consecutive_failures_ = failed ? consecutive_failures_ + 1 : 0;
        window_.push_back(failed);
        window_failures_ += failed;
        if (static_cast<int>(window_.size()) > options.window_calls) {
          window_failures_ -= window_.front();
          window_.pop_front();
        }
        const int calls = static_cast<int>(window_.size());
        if (consecutive_failures_ >= options.failure_threshold) {
          return MoveTo(BreakerState::kOpen, breaker_text::ConsecutiveFailures(consecutive_failures_));
        }
        if (calls >= options.min_calls && window_failures_ >= options.failure_rate * calls) {
          return MoveTo(BreakerState::kOpen, breaker_text::WindowFailures(window_failures_, calls));
        }
        break;
      }
      case BreakerState::kHalfOpen:
        if (failed) return MoveTo(BreakerState::kOpen, breaker_text::TrialFailed());
        if (++trials_succeeded_ >= options.half_open_trials) {
          return MoveTo(BreakerState::kClosed, breaker_text::TrialsSucceeded(options.half_open_trials));
        }
        break;
      case BreakerState::kOpen:
        // A call admitted before the breaker opened finished late: already accounted for.
        break;
    }
    return std::optional<BreakerTransition>();
  }

  Result<BreakerState> Load() override {
    std::lock_guard lock(mu_);
    return state_;
  }

 private:
  std::optional<BreakerTransition> MoveTo(BreakerState to, std::string reason) {
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

  Clock& clock_;
  std::mutex mu_;
  BreakerState state_ = BreakerState::kClosed;
  int consecutive_failures_ = 0;
  std::deque<bool> window_;  // true = failure; the last window_calls outcomes while closed
  int window_failures_ = 0;
  TimePoint opened_at_{};
  int trials_admitted_ = 0;
  int trials_succeeded_ = 0;
};

}  // namespace

std::shared_ptr<BreakerStateStore> MakeLocalBreakerState(Clock& clock) {
  return std::make_shared<LocalBreakerState>(clock);
}

}  // namespace reagent
