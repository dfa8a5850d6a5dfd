#include "reagent/llm/circuit_breaker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace reagent {
namespace {

struct BreakerFixture : ::testing::Test {
  ManualClock clock;
  CircuitBreaker breaker{"gpt-4.1", clock};
  std::vector<BreakerTransition> seen;

  void SetUp() override {
    breaker.set_listener([this](const std::string& name, const BreakerTransition& t) {
      EXPECT_EQ(name, "gpt-4.1");
      seen.push_back(t);
    });
  }
  // One admitted call with the given outcome.
  void Call(CallOutcome outcome) {
    ASSERT_TRUE(breaker.Allow().allowed);
    breaker.Record(outcome);
  }
};

TEST_F(BreakerFixture, BreakerOpensAfterFiveConsecutiveFailures) {
  for (int i = 0; i < 4; ++i) Call(CallOutcome::kFailure);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  Call(CallOutcome::kFailure);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].from, BreakerState::kClosed);
  EXPECT_EQ(seen[0].to, BreakerState::kOpen);
  EXPECT_EQ(seen[0].reason, "5 consecutive failures");
  BreakerDecision d = breaker.Allow();
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_in, Seconds(60));
  EXPECT_EQ(d.reason, "circuit open, next trial in 60.0 s");
}

TEST_F(BreakerFixture, ASuccessResetsTheConsecutiveCount) {
  for (int i = 0; i < 4; ++i) Call(CallOutcome::kFailure);
  Call(CallOutcome::kSuccess);
  for (int i = 0; i < 4; ++i) Call(CallOutcome::kFailure);
  // 8 of 9 failed but never 5 in a row, and fewer than 10 calls: still closed.
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST_F(BreakerFixture, BreakerOpensWhenHalfOfTheLastTwentyFailWithTenCalls) {
  // fail, ok, fail, ok…: never two failures in a row.
  for (int i = 0; i < 9; ++i) Call(i % 2 == 0 ? CallOutcome::kFailure : CallOutcome::kSuccess);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);  // 5 of 9, below min_calls
  Call(CallOutcome::kSuccess);                         // 5 of 10 = 50 %
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].reason, "5 of the last 10 calls failed");
}

TEST(CircuitBreaker, FailureRateCountsOnlyTheLastWindowOfCalls) {
  ManualClock clock;
  CircuitBreaker breaker("m", clock, BreakerOptions{.failure_threshold = 100, .window_calls = 4,
                                                    .min_calls = 4});
  const std::vector<CallOutcome> calls = {CallOutcome::kSuccess, CallOutcome::kSuccess,
                                          CallOutcome::kSuccess, CallOutcome::kFailure,
                                          CallOutcome::kSuccess, CallOutcome::kFailure};
  std::vector<BreakerState> states;
  for (CallOutcome outcome : calls) {
    ASSERT_TRUE(breaker.Allow().allowed);
    breaker.Record(outcome);
    states.push_back(breaker.state());
  }
  // 2 of 6 overall (33 %), but 2 of the last 4 (50 %): the sixth call opens it.
  EXPECT_EQ(states.back(), BreakerState::kOpen);
  EXPECT_EQ(states[4], BreakerState::kClosed);
}

TEST_F(BreakerFixture, NonTransientFailuresDoNotCount) {
  ModelError bad_request{.kind = ModelErrorKind::kBadRequest, .http_status = 400};
  ModelError quota{.kind = ModelErrorKind::kQuotaExhausted, .http_status = 429};
  ModelError overloaded{.kind = ModelErrorKind::kOverloaded, .http_status = 503};
  ModelError cancelled{.kind = ModelErrorKind::kCancelled};
  EXPECT_EQ(OutcomeOf(bad_request), CallOutcome::kSuccess);
  EXPECT_EQ(OutcomeOf(quota), CallOutcome::kSuccess);
  EXPECT_EQ(OutcomeOf(overloaded), CallOutcome::kFailure);
  EXPECT_EQ(OutcomeOf(cancelled), CallOutcome::kIgnored);
  for (int i = 0; i < 30; ++i) Call(OutcomeOf(bad_request));
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST_F(BreakerFixture, BreakerHalfOpensAfterSixtySecondsAndAdmitsThreeTrials) {
  for (int i = 0; i < 5; ++i) Call(CallOutcome::kFailure);
  clock.Advance(Seconds(59.9));
  EXPECT_FALSE(breaker.Allow().allowed);
  clock.Advance(Seconds(0.1));
  BreakerDecision first = breaker.Allow();
  EXPECT_TRUE(first.allowed);
  ASSERT_TRUE(first.transition.has_value());
  EXPECT_EQ(first.transition->to, BreakerState::kHalfOpen);
  EXPECT_EQ(first.transition->reason, "open for 60.0 s");
  EXPECT_TRUE(breaker.Allow().allowed);
  EXPECT_TRUE(breaker.Allow().allowed);
  BreakerDecision fourth = breaker.Allow();  // three trials in flight
  EXPECT_FALSE(fourth.allowed);
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
}

TEST_F(BreakerFixture, BreakerClosesAfterThreeSuccessfulTrials) {
  for (int i = 0; i < 5; ++i) Call(CallOutcome::kFailure);
  clock.Advance(Seconds(60));
  Call(CallOutcome::kSuccess);
  Call(CallOutcome::kSuccess);
  EXPECT_EQ(breaker.state(), BreakerState::kHalfOpen);
  Call(CallOutcome::kSuccess);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].from, BreakerState::kHalfOpen);
  EXPECT_EQ(seen[2].reason, "3 trial calls succeeded");
  // Closed afresh: it takes five new failures to open again.
  for (int i = 0; i < 4; ++i) Call(CallOutcome::kFailure);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);
}

TEST_F(BreakerFixture, BreakerReopensWhenATrialFails) {
  for (int i = 0; i < 5; ++i) Call(CallOutcome::kFailure);
  clock.Advance(Seconds(60));
  Call(CallOutcome::kSuccess);
  Call(CallOutcome::kFailure);
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  EXPECT_EQ(seen.back().reason, "a trial call failed");
  BreakerDecision d = breaker.Allow();
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_in, Seconds(60));  // a full new cool-down
}

TEST_F(BreakerFixture, AnIgnoredTrialFreesItsSlot) {
  for (int i = 0; i < 5; ++i) Call(CallOutcome::kFailure);
  clock.Advance(Seconds(60));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(breaker.Allow().allowed);
  EXPECT_FALSE(breaker.Allow().allowed);
  breaker.Record(CallOutcome::kIgnored);  // the caller cancelled one trial
  EXPECT_TRUE(breaker.Allow().allowed);
}

TEST(CircuitBreaker, CustomThresholdsAreHonoured) {
  ManualClock clock;
  CircuitBreaker breaker("m", clock, BreakerOptions{.failure_threshold = 2, .open_for = Seconds(5),
                                                    .half_open_trials = 1});
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(breaker.Allow().allowed);
    breaker.Record(CallOutcome::kFailure);
  }
  EXPECT_EQ(breaker.state(), BreakerState::kOpen);
  clock.Advance(Seconds(5));
  ASSERT_TRUE(breaker.Allow().allowed);
  std::optional<BreakerTransition> t = breaker.Record(CallOutcome::kSuccess);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->to, BreakerState::kClosed);
  EXPECT_EQ(t->reason, "the trial call succeeded");
}

TEST(CircuitBreaker, ValidateRejectsImpossibleOptions) {
  EXPECT_TRUE(BreakerOptions{}.Validate().ok());
  EXPECT_FALSE(BreakerOptions{.failure_threshold = 0}.Validate().ok());
  EXPECT_FALSE((BreakerOptions{.window_calls = 5, .min_calls = 10}.Validate().ok()));
  EXPECT_FALSE(BreakerOptions{.failure_rate = 0}.Validate().ok());
}

TEST(CircuitBreakerThreads, ManyThreadsAtOnceGetExactlyTheHalfOpenTrials) {
  ManualClock clock;
  CircuitBreaker breaker("m", clock, {.failure_threshold = 5, .open_for = Seconds(60), .half_open_trials = 3});
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(breaker.Allow().allowed);
    breaker.Record(CallOutcome::kFailure);
  }
  ASSERT_EQ(breaker.state(), BreakerState::kOpen);
  clock.Advance(Seconds(60));
  // 16 threads ask at the same moment; none records until all have asked.
  std::atomic<int> ready{0}, admitted{0}, asked{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      ++ready;
      while (ready.load() < 16) std::this_thread::yield();
      const bool allowed = breaker.Allow().allowed;
      if (allowed) ++admitted;
      ++asked;
      while (asked.load() < 16) std::this_thread::yield();
      if (allowed) breaker.Record(CallOutcome::kSuccess);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 3);
  EXPECT_EQ(breaker.state(), BreakerState::kClosed);  // the three trials succeeded
}

}  // namespace
}  // namespace reagent
