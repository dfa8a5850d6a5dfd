#include "reagent/llm/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <future>
#include <thread>
#include <vector>

#include "reagent/llm/rate_limited_model.h"
#include "resilience_test_fakes.h"

namespace reagent {
namespace {

using testing::EventLog;
using testing::Fail;
using testing::FakeModel;
using testing::Reply;

// Exact limits: no headroom, no burst beyond one request.
RateLimiterOptions Exact(double rpm, double tpm = 0) {
  return RateLimiterOptions{.requests_per_period = rpm, .tokens_per_period = tpm,
                            .target_utilization = 1.0, .burst_fraction = 0.0};
}

TEST(RateLimiter, PacesRequestsPerMinute) {
  ManualClock clock;
  RateLimiter limiter(clock, Exact(60));  // one per second
  std::vector<double> waits;
  for (int i = 0; i < 5; ++i) {
    Result<RateLimiter::Permit> p = limiter.Acquire(0);
    ASSERT_TRUE(p.ok());
    waits.push_back(ToSeconds(p->waited()));
  }
  EXPECT_EQ(waits, (std::vector<double>{0, 1, 1, 1, 1}));
  EXPECT_EQ(clock.Now().time_since_epoch(), Seconds(4));
}

TEST(RateLimiter, BurstFractionLetsAQuietClientBurst) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.requests_per_period = 600,
                                                .target_utilization = 1.0,
                                                .burst_fraction = 0.05});  // 30 at once
  for (int i = 0; i < 30; ++i) ASSERT_EQ(limiter.Acquire(0)->waited(), Duration::zero());
  EXPECT_NEAR(ToSeconds(limiter.Acquire(0)->waited()), 0.1, 1e-6);
}

TEST(RateLimiter, TargetUtilizationLeavesHeadroom) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.requests_per_period = 100,
                                                .target_utilization = 0.5,
                                                .burst_fraction = 0.0});
  (void)limiter.Acquire(0);
  EXPECT_EQ(limiter.Acquire(0)->waited(), Seconds(1.2));  // 50 per minute
}

TEST(RateLimiter, TokenBucketReservesThenSettlesWithRealUsage) {
  ManualClock clock;
  // 6000 tokens/min = 100/s; bucket of 1000.
  RateLimiter limiter(clock, RateLimiterOptions{.tokens_per_period = 6000,
                                                .target_utilization = 1.0,
                                                .burst_fraction = 1000.0 / 6000});
  EXPECT_NEAR(limiter.tokens_available(), 1000, 1e-6);
  {
    Result<RateLimiter::Permit> p = limiter.Acquire(800);  // estimate: prompt + max_tokens
    ASSERT_TRUE(p.ok());
    EXPECT_NEAR(limiter.tokens_available(), 200, 1e-6);
    p->Settle(150);  // the reply was short
    EXPECT_NEAR(limiter.tokens_available(), 850, 1e-6);
    p->Settle(10);  // settling twice changes nothing
    EXPECT_NEAR(limiter.tokens_available(), 850, 1e-6);
  }
  Result<RateLimiter::Permit> big = limiter.Acquire(900);
  ASSERT_TRUE(big.ok());
  EXPECT_NEAR(ToSeconds(big->waited()), 0.5, 1e-6);  // 50 missing tokens at 100/s
  big->Settle(1200);  // longer than estimated: charged the difference
  EXPECT_NEAR(limiter.tokens_available(), 850 + 50 - 900 - 300, 1e-6);
}

TEST(RateLimiter, ACallLargerThanTheBucketWaitsForAFullBucket) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.tokens_per_period = 600,
                                                .target_utilization = 1.0,
                                                .burst_fraction = 0.1});  // 60 tokens
  ASSERT_TRUE(limiter.Acquire(200).ok());  // full bucket: goes, leaves a debt of 140
  EXPECT_EQ(limiter.Acquire(10)->waited(), Seconds(15));  // back to 10 at 10/s
}

TEST(RateLimiter, WaitsQueueInArrivalOrder) {
  ManualClock clock;
  RateLimiter limiter(clock, Exact(60));
  // Reservations are taken before sleeping: each caller gets the next free second.
  std::vector<Duration> waits;
  for (int i = 0; i < 3; ++i) {
    TimePoint before = clock.Now();
    Result<RateLimiter::Permit> p = limiter.Acquire(0);
    waits.push_back(clock.Now() - before);
  }
  EXPECT_EQ(waits, (std::vector<Duration>{Duration::zero(), Seconds(1), Seconds(1)}));
}

TEST(RateLimiter, WaitThatWouldPassTheDeadlineIsRefusedUpFront) {
  ManualClock clock;
  RateLimiter limiter(clock, Exact(6));  // one per 10 s
  ASSERT_TRUE(limiter.Acquire(0).ok());
  double before = limiter.requests_available();
  Result<RateLimiter::Permit> late = limiter.Acquire(0, clock.Now() + Seconds(5));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(late.status().retry_after_s(), 10.0);
  EXPECT_EQ(clock.slept(), Duration::zero());
  EXPECT_DOUBLE_EQ(limiter.requests_available(), before);  // nothing reserved
  EXPECT_EQ(limiter.in_flight(), 0);
}

TEST(RateLimiter, WaitBeyondMaxWaitIsRefusedAsRateLimited) {
  ManualClock clock;
  RateLimiter limiter(clock, Exact(600));
  limiter.PauseFor(3600);  // a provider's daily limit: "retry in an hour"
  Result<RateLimiter::Permit> p = limiter.Acquire(0);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kRateLimited);
  EXPECT_EQ(p.status().retry_after_s(), 3600.0);
  EXPECT_EQ(clock.slept(), Duration::zero());
  EXPECT_EQ(limiter.in_flight(), 0);
  RateLimiter patient(clock, RateLimiterOptions{.max_wait = Duration::zero()});  // no limit
  patient.PauseFor(3600);
  ASSERT_TRUE(patient.Acquire(0).ok());
  EXPECT_EQ(clock.slept(), Seconds(3600));
}

TEST(RateLimiter, CancelledWaitReturnsItsReservation) {
  ManualClock clock;
  RateLimiter limiter(clock, Exact(6));
  ASSERT_TRUE(limiter.Acquire(0).ok());
  CancellationSource source;
  source.Cancel();
  Result<RateLimiter::Permit> p = limiter.Acquire(0, std::nullopt, source.token());
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kCancelled);
  EXPECT_DOUBLE_EQ(limiter.requests_available(), 0);
  EXPECT_EQ(limiter.in_flight(), 0);
}

TEST(RateLimiter, ConcurrencyCapHoldsTheEleventhCall) {
  ManualClock clock;
  RateLimiter limiter(clock);  // default: 10 in flight, no pacing
  std::vector<RateLimiter::Permit> held;
  for (int i = 0; i < 10; ++i) held.push_back(std::move(*limiter.Acquire(0)));
  EXPECT_EQ(limiter.in_flight(), 10);
  Result<RateLimiter::Permit> refused = limiter.Acquire(0, clock.Now());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kDeadlineExceeded);

  // A caller blocked on the cap is woken by cancellation from another thread.
  CancellationSource source;
  auto blocked = std::async(std::launch::async, [&] {
    return limiter.Acquire(0, std::nullopt, source.token()).status().code();
  });
  source.Cancel();
  EXPECT_EQ(blocked.get(), StatusCode::kCancelled);

  // ... and by a permit being released.
  auto waiting = std::async(std::launch::async, [&] { return limiter.Acquire(0).ok(); });
  held.pop_back();
  EXPECT_TRUE(waiting.get());
  EXPECT_EQ(limiter.in_flight(), 9);  // the waiter's permit was a temporary, released
}

TEST(RateLimiter, EmptyRemainingHeaderPausesUntilTheReset) {
  ManualClock clock;
  RateLimiter limiter(clock, Exact(600));
  RateLimitInfo info;
  info.limit_requests = 600;
  info.remaining_requests = 0;
  info.reset_requests_s = 2.5;
  limiter.Observe(info);
  Result<RateLimiter::Permit> p = limiter.Acquire(0);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->waited(), Seconds(2.5));
}

TEST(RateLimiter, LowRemainingHeaderShrinksTheBucket) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.requests_per_period = 600,
                                                .target_utilization = 1.0,
                                                .burst_fraction = 0.05});
  EXPECT_NEAR(limiter.requests_available(), 30, 1e-6);
  limiter.Observe(RateLimitInfo{.remaining_requests = 2});
  EXPECT_DOUBLE_EQ(limiter.requests_available(), 2);
}

TEST(RateLimiter, UnsetLimitsAreLearnedFromHeaders) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.target_utilization = 1.0,
                                                .burst_fraction = 0.0});
  EXPECT_EQ(limiter.requests_per_period(), 0);
  limiter.Observe(RateLimitInfo{.limit_requests = 120, .limit_tokens = 60000});
  EXPECT_DOUBLE_EQ(limiter.requests_per_period(), 120);
  EXPECT_DOUBLE_EQ(limiter.tokens_per_period(), 60000);
  (void)limiter.Acquire(0);
  EXPECT_EQ(limiter.Acquire(0)->waited(), Seconds(0.5));
}

// Headers of one response: limit, what is left after it, and the reset.
RateLimitInfo Requests(int64_t limit, int64_t remaining, double reset_s) {
  return RateLimitInfo{.limit_requests = limit, .remaining_requests = remaining, .reset_requests_s = reset_s};
}

TEST(RateLimiter, LearnedLimitCountsOverTheWindowTheResetsShow) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.target_utilization = 1.0, .burst_fraction = 0.0});
  // 10 requests per 5 s: after the first request 9 are left and the window resets in 5 s.
  limiter.Observe(Requests(10, 9, 5.0));
  EXPECT_DOUBLE_EQ(limiter.requests_per_period(), 10);
  EXPECT_EQ(limiter.requests_window(), Seconds(5));
  (void)limiter.Acquire(0);
  EXPECT_EQ(limiter.Acquire(0)->waited(), Seconds(0.5));  // 2 per second, not 10 a minute
}

TEST(RateLimiter, TheWindowIsTheLongestResetSeen) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.target_utilization = 1.0, .burst_fraction = 0.0});
  // A token bucket (OpenAI's way): a reset is the time to refill what was used, so it grows
  // as the bucket drains; empty, it is the whole window.
  limiter.Observe(Requests(60, 59, 1.0));
  EXPECT_EQ(limiter.requests_window(), Seconds(1));
  limiter.Observe(Requests(60, 30, 30.0));
  limiter.Observe(Requests(60, 45, 15.0));  // shorter resets never shrink it
  EXPECT_EQ(limiter.requests_window(), Seconds(30));
  limiter.Observe(Requests(60, 0, 60.0));
  EXPECT_EQ(limiter.requests_window(), Seconds(60));
  EXPECT_DOUBLE_EQ(limiter.requests_per_period(), 60);
}

TEST(RateLimiter, AResetWithNothingUsedOrBeyondADayIsNotAWindow) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.target_utilization = 1.0, .burst_fraction = 0.0});
  limiter.Observe(Requests(10, 10, 3.0));  // full: its reset says nothing
  EXPECT_EQ(limiter.requests_window(), Seconds(60));  // the default period until told
  limiter.Observe(Requests(10, 5, 1e9));   // a hostile header
  EXPECT_EQ(limiter.requests_window(), Seconds(60));
  limiter.Observe(Requests(10, 5, 4.0));   // the first real reset replaces the default
  EXPECT_EQ(limiter.requests_window(), Seconds(4));
}

TEST(RateLimiter, TokenWindowsAreLearnedToo) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.target_utilization = 1.0, .burst_fraction = 0.0});
  limiter.Observe(RateLimitInfo{.limit_tokens = 1000, .remaining_tokens = 400, .reset_tokens_s = 10.0});
  EXPECT_EQ(limiter.tokens_window(), Seconds(10));
  EXPECT_DOUBLE_EQ(limiter.tokens_per_period(), 1000);
  EXPECT_EQ(limiter.requests_per_period(), 0);  // not told: not paced
}

TEST(RateLimiter, ARetryAfterWidensTheWindowOfTheExhaustedLimit) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.target_utilization = 1.0, .burst_fraction = 0.0});
  limiter.Observe(Requests(10, 0, 2.0));
  limiter.Observe(RateLimitInfo{.limit_tokens = 1000, .remaining_tokens = 900, .reset_tokens_s = 1.0});
  limiter.PauseFor(8);  // a 429: "retry after 8 s", and the request limit is the empty one
  EXPECT_EQ(limiter.requests_window(), Seconds(8));
  EXPECT_EQ(limiter.tokens_window(), Seconds(1));
}

TEST(RateLimiter, AConfiguredPeriodIsTheWindowOfLearnedLimits) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{.period = Seconds(3), .target_utilization = 1.0,
                                                .burst_fraction = 0.0, .infer_window_from_headers = false});
  limiter.Observe(Requests(2, 1, 2.9));
  EXPECT_EQ(limiter.requests_window(), Seconds(3));
}

TEST(RateLimiter, ConfiguredLimitsIgnoreTheHeadersLimits) {
  ManualClock clock;
  RateLimiter limiter(clock, Exact(60));
  limiter.Observe(Requests(10, 9, 5.0));
  EXPECT_DOUBLE_EQ(limiter.requests_per_period(), 60);
  EXPECT_EQ(limiter.requests_window(), Seconds(60));
}

// A batch with no pacing configured against a provider allowing 10 requests per 5 s, each
// reply carrying the provider's headers (sliding window: the reset is when the oldest request
// leaves it). The limiter learns the window and keeps the batch near the window's capacity
// without running into it.
TEST(RateLimiter, AnUnpacedClientLearnsASlidingWindowAndStaysUnderIt) {
  ManualClock clock;
  RateLimiter limiter(clock, RateLimiterOptions{});  // the defaults a batch gets
  const Duration window = Seconds(5);
  const int limit = 10;
  std::deque<TimePoint> admitted;
  int refused = 0;
  const TimePoint start = clock.Now();
  for (int i = 0; i < 60; ++i) {
    Result<RateLimiter::Permit> p = limiter.Acquire(0);
    ASSERT_TRUE(p.ok()) << p.status();
    const TimePoint now = clock.Now();
    while (!admitted.empty() && admitted.front() <= now - window) admitted.pop_front();
    const bool ok = static_cast<int>(admitted.size()) < limit;
    if (ok) admitted.push_back(now);
    const int64_t remaining = limit - static_cast<int64_t>(admitted.size());
    const double reset = admitted.empty() ? 0 : ToSeconds(admitted.front() + window - now);
    limiter.Observe(Requests(limit, remaining, reset));
    if (!ok) {
      ++refused;
      limiter.PauseFor(reset);
      --i;  // the item is retried
    }
  }
  const double elapsed = ToSeconds(clock.Now() - start);
  EXPECT_EQ(refused, 0);
  // Capacity: 60 items in 30 s (2 per second); at least 0.7 of it.
  EXPECT_LE(elapsed, 30.0 / 0.7) << elapsed;
  EXPECT_EQ(limiter.requests_window(), window);
}

TEST(RateLimiter, OptionsAreValidated) {
  EXPECT_TRUE(RateLimiterOptions{}.Validate().ok());
  EXPECT_FALSE(RateLimiterOptions{.requests_per_period = -1}.Validate().ok());
  EXPECT_FALSE(RateLimiterOptions{.target_utilization = 0}.Validate().ok());
  EXPECT_FALSE(RateLimiterOptions{.max_concurrency = -2}.Validate().ok());
}

// --- RateLimitedModel -----------------------------------------------------------------------

TEST(RateLimitedModel, ReportsLimiterWaitsAsEvents) {
  ManualClock clock;
  auto fake = FakeModel::Script("gpt-4.1", {Reply("ok")});
  RateLimitedModel model(fake, std::make_shared<RateLimiter>(clock, Exact(30)));
  EventLog log;
  ChatRequest req;
  req.on_event = log.callback();
  ASSERT_TRUE(model.Complete(req).ok());
  ASSERT_TRUE(model.Complete(req).ok());
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].kind, ModelEvent::Kind::kLimiterWait);
  EXPECT_EQ(log.events[0].wait, Seconds(2));
  EXPECT_EQ(log.events[0].model, "gpt-4.1");
}

TEST(RateLimitedModel, A429RetryHintPausesEveryCaller) {
  ManualClock clock;
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 7.0), Reply("ok")});
  auto limiter = std::make_shared<RateLimiter>(clock);
  RateLimitedModel model(fake, limiter);
  EXPECT_FALSE(model.Complete(ChatRequest{}).ok());
  ASSERT_TRUE(model.Complete(ChatRequest{}).ok());
  EXPECT_EQ(clock.slept(), Seconds(7));
}

TEST(RateLimitedModel, LongProviderPauseFailsFastAsRateLimited) {
  ManualClock clock;
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 7200.0), Reply("ok")});
  RateLimitedModel model(fake, std::make_shared<RateLimiter>(clock));
  EXPECT_FALSE(model.Complete(ChatRequest{}).ok());
  ChatResult r = model.Complete(ChatRequest{});  // not sent: the provider asked for 2 h
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(r.error().retry_after_s, 7200.0);
  EXPECT_EQ(fake->calls(), 1);
}

TEST(RateLimitedModel, DeadlineTooCloseFailsWithoutSending) {
  ManualClock clock;
  auto fake = FakeModel::Script("m", {Reply("ok")});
  RateLimitedModel model(fake, std::make_shared<RateLimiter>(clock, Exact(6)));
  ASSERT_TRUE(model.Complete(ChatRequest{}).ok());
  ChatRequest req;
  req.deadline = clock.Now() + Seconds(1);
  ChatResult r = model.Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kTimeout);
  EXPECT_EQ(fake->calls(), 1);
}

TEST(RateLimitedModel, SettlesTheTokenEstimateWithReportedUsage) {
  ManualClock clock;
  auto fake = FakeModel::Script("m", {Reply("ok", /*prompt=*/40, /*completion=*/10)});
  auto limiter = std::make_shared<RateLimiter>(
      clock, RateLimiterOptions{.tokens_per_period = 60000, .target_utilization = 1.0,
                                .burst_fraction = 0.1});
  RateLimitedModel model(fake, limiter);
  ChatRequest req;
  req.messages.push_back(Message::User(std::string(400, 'x')));
  req.max_tokens = 500;
  EXPECT_EQ(EstimateRequestTokens(req), 4 + 100 + 500);
  ASSERT_TRUE(model.Complete(req).ok());
  EXPECT_DOUBLE_EQ(limiter->tokens_available(), 6000 - 50);
}

TEST(RateLimiterThreads, ManyThreadsNeverExceedTheConcurrencyCap) {
  RateLimiter limiter(SystemClock::Default(), {.max_concurrency = 3});
  std::atomic<int> holding{0}, max_holding{0}, granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto permit = limiter.Acquire(10);
        if (!permit.ok()) continue;
        ++granted;
        int now = ++holding;
        int prev = max_holding.load();
        while (now > prev && !max_holding.compare_exchange_weak(prev, now)) {}
        std::this_thread::yield();
        --holding;
        permit->Settle(5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 800);
  EXPECT_LE(max_holding.load(), 3);
  EXPECT_EQ(limiter.in_flight(), 0);
}

}  // namespace
}  // namespace reagent
