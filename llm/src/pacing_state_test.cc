#include "reagent/llm/pacing_state.h"

#include <gtest/gtest.h>

#include "reagent/llm/rate_limiter.h"

namespace reagent {
namespace {

RateLimiterOptions Exact(double rpm) {
  return RateLimiterOptions{.requests_per_period = rpm, .target_utilization = 1.0, .burst_fraction = 0.0};
}

TEST(PacingState, TwoLimitersOverOneStatePaceTogetherAtOneLimit) {
  ManualClock clock;
  auto shared = MakeLocalPacingState(clock);
  RateLimiter a(clock, Exact(60), shared);  // one per second, together
  RateLimiter b(clock, Exact(60), shared);
  std::vector<double> waits;
  for (int i = 0; i < 6; ++i) {
    RateLimiter& limiter = i % 2 ? b : a;
    auto p = limiter.Acquire(0);
    ASSERT_TRUE(p.ok());
    waits.push_back(ToSeconds(p->waited()));
  }
  EXPECT_EQ(waits, (std::vector<double>{0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(clock.Now().time_since_epoch(), Seconds(5)) << "six calls at one per second, not two streams";
}

TEST(PacingState, ASecondLimiterJoiningDoesNotRefillTheSharedBucket) {
  ManualClock clock;
  auto shared = MakeLocalPacingState(clock);
  RateLimiter a(clock, RateLimiterOptions{.requests_per_period = 600, .target_utilization = 1.0,
                                          .burst_fraction = 0.05}, shared);  // bucket of 30
  for (int i = 0; i < 30; ++i) ASSERT_EQ(a.Acquire(0)->waited(), Duration::zero());
  RateLimiter b(clock, RateLimiterOptions{.requests_per_period = 600, .target_utilization = 1.0,
                                          .burst_fraction = 0.05}, shared);
  EXPECT_NEAR(ToSeconds(b.Acquire(0)->waited()), 0.1, 1e-6) << "b queues behind a's burst";
}

TEST(PacingState, APauseFromOneLimiterHoldsTheOthers) {
  ManualClock clock;
  auto shared = MakeLocalPacingState(clock);
  RateLimiter a(clock, {}, shared);  // unpaced: only pauses apply
  RateLimiter b(clock, {}, shared);
  a.PauseFor(2.5);
  auto p = b.Acquire(0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->waited(), Seconds(2.5));
}

// A state that cannot be reached (a shared store that is down).
class UnreachableState final : public PacingState {
 public:
  void Begin(PaceBucket, const BucketRate&) override {}
  Result<PaceReservation> Reserve(const PaceRates&, double, double, Duration) override {
    return Status::Unavailable("pacing state unreachable");
  }
  void Give(const PaceRates&, double, double) override {}
  void Observe(PaceBucket, const BucketRate&, std::optional<double>, Duration) override {}
  Result<PaceLevels> Levels(const PaceRates&) override { return Status::Unavailable("pacing state unreachable"); }
};

TEST(PacingState, AnUnreachableStateFailsTheCallAndFreesItsSlot) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.requests_per_period = 60, .max_concurrency = 1},
                      std::make_shared<UnreachableState>());
  for (int i = 0; i < 3; ++i) {
    auto p = limiter.Acquire(0);
    ASSERT_EQ(p.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(p.status().message(), "pacing state unreachable");
  }
  EXPECT_EQ(limiter.in_flight(), 0);
}

}  // namespace
}  // namespace reagent
