#include "turn_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace reagent::server {
namespace {

using Admission = TurnScheduler::Admission;

// A job that runs until released.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
};

TEST(TurnSchedulerTest, AdmitsUpToTheCapQueuesUpToTheQueueAndRefusesTheRest) {
  TurnScheduler s(2, 1);
  Gate gate;
  std::atomic<int> ran{0};
  auto job = [&](bool run) {
    if (!run) return;
    gate.opened.wait();
    ++ran;
  };
  EXPECT_EQ(s.Submit(job), Admission::kRunning);
  EXPECT_EQ(s.Submit(job), Admission::kRunning);
  EXPECT_EQ(s.Submit(job), Admission::kQueued);
  EXPECT_EQ(s.Submit(job), Admission::kFull);
  gate.open.set_value();
  EXPECT_TRUE(s.WaitIdle(std::chrono::steady_clock::time_point::max()));
  EXPECT_EQ(ran, 3);
  EXPECT_LE(s.workers(), 2);
  EXPECT_EQ(s.Submit(job), Admission::kRunning);  // capacity is back
}

TEST(TurnSchedulerTest, StopAdmittingAnswersQueuedJobsAndRefusesNewOnes) {
  TurnScheduler s(1, 5);
  Gate gate;
  std::atomic<int> ran{0}, dropped{0};
  auto job = [&](bool run) {
    if (!run) {
      ++dropped;
      return;
    }
    gate.opened.wait();
    ++ran;
  };
  ASSERT_EQ(s.Submit(job), Admission::kRunning);
  while (s.running() == 0) std::this_thread::yield();  // the first job holds the only worker
  ASSERT_EQ(s.Submit(job), Admission::kQueued);
  ASSERT_EQ(s.Submit(job), Admission::kQueued);
  s.StopAdmitting();
  EXPECT_EQ(dropped, 2);
  EXPECT_EQ(s.Submit(job), Admission::kStopped);
  EXPECT_FALSE(s.WaitIdle(std::chrono::steady_clock::now()));  // one still runs
  gate.open.set_value();
  EXPECT_TRUE(s.WaitIdle(std::chrono::steady_clock::time_point::max()));
  EXPECT_EQ(ran, 1);
}

}  // namespace
}  // namespace reagent::server
