#include "reagent/llm/breaker_state.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

TEST(BreakerState, OneBreakersFailuresOpenEveryBreakerOnTheSameState) {
  ManualClock clock;
  auto shared = MakeLocalBreakerState(clock);
  CircuitBreaker a("gpt-4.1", clock, {.failure_threshold = 3, .open_for = Seconds(10)}, shared);
  CircuitBreaker b("gpt-4.1", clock, {.failure_threshold = 3, .open_for = Seconds(10)}, shared);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.Allow().allowed);
    a.Record(CallOutcome::kFailure);
  }
  EXPECT_EQ(b.state(), BreakerState::kOpen);
  BreakerDecision refused = b.Allow();
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.reason, "circuit open, next trial in 10.0 s");
  clock.Advance(Seconds(10));
  BreakerDecision trial = b.Allow();
  ASSERT_TRUE(trial.allowed);
  ASSERT_TRUE(trial.transition);
  EXPECT_EQ(trial.transition->reason, "open for 10.0 s");
  EXPECT_EQ(a.state(), BreakerState::kHalfOpen);
}

TEST(BreakerState, FailuresOfTwoBreakersAddUpToTheThreshold) {
  ManualClock clock;
  auto shared = MakeLocalBreakerState(clock);
  CircuitBreaker a("m", clock, {.failure_threshold = 4}, shared);
  CircuitBreaker b("m", clock, {.failure_threshold = 4}, shared);
  std::optional<BreakerTransition> last;
  for (int i = 0; i < 4; ++i) {
    CircuitBreaker& breaker = i % 2 ? b : a;
    ASSERT_TRUE(breaker.Allow().allowed);
    last = breaker.Record(CallOutcome::kFailure);
  }
  ASSERT_TRUE(last);
  EXPECT_EQ(last->reason, "4 consecutive failures");
}

class UnreachableBreakerState final : public BreakerStateStore {
 public:
  Result<BreakerDecision> Allow(const BreakerOptions&) override { return Status::Unavailable("store down"); }
  Result<std::optional<BreakerTransition>> Record(const BreakerOptions&, CallOutcome) override {
    return Status::Unavailable("store down");
  }
  Result<BreakerState> Load() override { return Status::Unavailable("store down"); }
};

TEST(BreakerState, AnUnreachableStoreFailsClosedAndSaysWhy) {
  ManualClock clock;
  CircuitBreaker breaker("m", clock, {}, std::make_shared<UnreachableBreakerState>());
  BreakerDecision d = breaker.Allow();
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "breaker state unavailable: store down");
  EXPECT_GT(d.retry_in, Duration::zero());
  EXPECT_EQ(breaker.Record(CallOutcome::kFailure), std::nullopt);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
}

}  // namespace
}  // namespace reagent
