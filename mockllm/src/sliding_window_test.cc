#include "reagent/mockllm/sliding_window.h"

#include <gtest/gtest.h>

namespace reagent::mockllm {
namespace {

const TimePoint kT0{};

TEST(SlidingWindow, AdmitsUpToTheLimitThenSaysWhenASlotFrees) {
  SlidingWindow w(3, Seconds(60));
  EXPECT_TRUE(w.TryAdmit(kT0, 1).admitted);
  EXPECT_TRUE(w.TryAdmit(kT0 + Seconds(10), 1).admitted);
  auto third = w.TryAdmit(kT0 + Seconds(20), 1);
  EXPECT_TRUE(third.admitted);
  EXPECT_EQ(third.remaining, 0);
  EXPECT_EQ(third.reset, Seconds(40));
  auto refused = w.TryAdmit(kT0 + Seconds(30), 1);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, Seconds(30));  // the first use leaves at t=60
  EXPECT_TRUE(w.TryAdmit(kT0 + Seconds(60), 1).admitted);
}

TEST(SlidingWindow, TokenWindowWaitsUntilEnoughHasLeft) {
  SlidingWindow w(100, Seconds(60));
  EXPECT_TRUE(w.TryAdmit(kT0, 40).admitted);
  EXPECT_TRUE(w.TryAdmit(kT0 + Seconds(5), 40).admitted);
  auto refused = w.TryAdmit(kT0 + Seconds(10), 70);
  EXPECT_FALSE(refused.admitted);
  EXPECT_EQ(refused.retry_after, Seconds(55));  // both earlier uses must leave
  EXPECT_FALSE(refused.never_fits);
}

TEST(SlidingWindow, RequestLargerThanTheLimitNeverFits) {
  SlidingWindow w(100, Seconds(60));
  auto d = w.TryAdmit(kT0, 101);
  EXPECT_FALSE(d.admitted);
  EXPECT_TRUE(d.never_fits);
}

TEST(SlidingWindow, ZeroLimitIsUnlimited) {
  SlidingWindow w(0, Seconds(60));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(w.TryAdmit(kT0, 1000).admitted);
}

}  // namespace
}  // namespace reagent::mockllm
