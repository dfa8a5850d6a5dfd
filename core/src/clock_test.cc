#include "reagent/core/clock.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>

namespace reagent {
namespace {

TEST(SecondsTest, HugeValuesSaturateInsteadOfWrapping) {
  EXPECT_EQ(Seconds(1e12), kMaxDuration);
  EXPECT_EQ(Seconds(1e300), kMaxDuration);
  EXPECT_EQ(Seconds(std::numeric_limits<double>::infinity()), kMaxDuration);
  EXPECT_EQ(Seconds(-1e12), -kMaxDuration);
  EXPECT_EQ(Seconds(std::numeric_limits<double>::quiet_NaN()), Duration::zero());
  EXPECT_EQ(Seconds(1.5), std::chrono::milliseconds(1500));
  EXPECT_GT(Seconds(9.3e9), Seconds(60));  // past int64 nanoseconds: still "very long"
  // A wall-clock instant plus a saturated duration (twice) does not overflow.
  const WallTime now = SystemClock::Default().WallNow();
  EXPECT_GT(now + Seconds(1e12) + Seconds(1e12), now);
}

TEST(SecondsTest, CeilSecondsNeverWakesEarly) {
  EXPECT_GE(ToSeconds(CeilSeconds(0.1)), 0.1);
  EXPECT_EQ(CeilSeconds(2), std::chrono::seconds(2));
  EXPECT_EQ(CeilSeconds(1e15), kMaxDuration);
}

TEST(ManualClockTest, StartsAtZeroAndMovesOnlyWhenTold) {
  ManualClock clock;
  EXPECT_EQ(clock.Now().time_since_epoch(), Duration::zero());
  EXPECT_EQ(clock.Now(), clock.Now());
  clock.Advance(Seconds(1.5));
  EXPECT_DOUBLE_EQ(ToSeconds(clock.Now().time_since_epoch()), 1.5);
}

TEST(ManualClockTest, SleepAdvancesInsteadOfBlocking) {
  ManualClock clock;
  WallTime wall0 = clock.WallNow();
  EXPECT_TRUE(clock.SleepFor(Seconds(60)));
  EXPECT_DOUBLE_EQ(ToSeconds(clock.Now().time_since_epoch()), 60.0);
  EXPECT_DOUBLE_EQ(ToSeconds(clock.WallNow() - wall0), 60.0);
  EXPECT_DOUBLE_EQ(ToSeconds(clock.slept()), 60.0);
  clock.Advance(Seconds(5));
  EXPECT_DOUBLE_EQ(ToSeconds(clock.slept()), 60.0);  // Advance is not sleeping
}

TEST(ManualClockTest, WallTimeStartsAtTheGivenInstant) {
  ManualClock clock(WallTime(std::chrono::seconds(1000)));
  EXPECT_DOUBLE_EQ(ToUnixSeconds(clock.WallNow()), 1000.0);
}

TEST(ManualClockTest, SleepReturnsFalseWhenAlreadyCancelled) {
  ManualClock clock;
  CancellationSource source;
  source.Cancel();
  EXPECT_FALSE(clock.SleepFor(Seconds(10), source.token()));
  EXPECT_EQ(clock.Now().time_since_epoch(), Duration::zero());
}

TEST(SystemClockTest, CancellationWakesASleeper) {
  SystemClock clock;
  CancellationSource source;
  std::thread canceller([&] { source.Cancel(); });
  // Would take an hour if the cancellation were not observed.
  EXPECT_FALSE(clock.SleepFor(Seconds(3600), source.token()));
  canceller.join();
}

TEST(SystemClockTest, ZeroSleepReturnsAtOnce) {
  EXPECT_TRUE(SystemClock::Default().SleepFor(Duration::zero()));
}

TEST(CancellationTest, CallbacksRunOnceAndLateSubscribersRunImmediately) {
  CancellationSource source;
  int calls = 0;
  auto token = source.token();
  token.OnCancel([&] { ++calls; });
  int removed = token.OnCancel([&] { calls += 100; });
  token.Unsubscribe(removed);
  EXPECT_FALSE(token.cancelled());
  source.Cancel();
  source.Cancel();
  EXPECT_TRUE(token.cancelled());
  EXPECT_EQ(calls, 1);
  token.OnCancel([&] { ++calls; });
  EXPECT_EQ(calls, 2);
}

TEST(CancellationTest, DefaultTokenIsNeverCancelled) {
  CancellationToken token;
  EXPECT_FALSE(token.cancelled());
  EXPECT_EQ(token.OnCancel([] {}), 0);
}

}  // namespace
}  // namespace reagent
