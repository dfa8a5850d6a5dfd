#include "support/throughput_meter.h"

#include <gtest/gtest.h>

namespace reagent::cli {
namespace {

TimePoint At(double s) { return TimePoint{} + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

TEST(ThroughputMeter, UnknownUntilTwoItemsFinish) {
  ThroughputMeter m;
  EXPECT_EQ(m.Rate(At(5)), 0);
  m.Record(At(1));
  EXPECT_EQ(m.Rate(At(5)), 0);
  m.Record(At(2));
  EXPECT_DOUBLE_EQ(m.Rate(At(2)), 1.0);
}

TEST(ThroughputMeter, FollowsTheCurrentRateNotTheRunAverage) {
  ThroughputMeter m(Seconds(60));
  // A burst: 30 items in the first 3 s (a fresh provider window), then one every 2 s.
  for (int i = 0; i < 30; ++i) m.Record(At(0.1 * i));
  double t = 3;
  for (int i = 0; i < 100; ++i) m.Record(At(t += 2));
  // The whole-run average would be 130 / 203 s = 0.64/s; the last minute says 0.5/s.
  EXPECT_NEAR(m.Rate(At(t)), 0.5, 0.02);
}

TEST(ThroughputMeter, AStallLowersTheRate) {
  ThroughputMeter m(Seconds(60));
  for (int i = 0; i <= 10; ++i) m.Record(At(i));
  EXPECT_NEAR(m.Rate(At(10)), 1.0, 1e-9);
  EXPECT_NEAR(m.Rate(At(20)), 0.5, 1e-9);  // 10 items over the 20 s since the first
}

}  // namespace
}  // namespace reagent::cli
