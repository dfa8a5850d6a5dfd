// Pacing, breakers and the cache shared by "replicas" (separate clients) on one real Redis.
// These use Redis's clock, so waits here are real but short (tenths of a second).
#include "reagent/redis/redis_shared_state.h"

#include <gtest/gtest.h>

#include <thread>

#include "reagent/llm/rate_limiter.h"
#include "redis_server.h"

namespace reagent {
namespace {

class SharedStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  std::shared_ptr<RedisClient> Client() {
    auto c = RedisClient::Open({.url = server_->url()});
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? *c : nullptr;
  }
  static std::shared_ptr<RedisClient> Dead() {
    auto c = RedisClient::Open({.url = "unix:///nonexistent/reagent/redis.sock", .connect_at_open = false});
    return *c;
  }

  SystemClock& clock_ = SystemClock::Default();
  std::unique_ptr<RedisServer> server_;
};

// 10 requests a second, a bucket of 3: the fourth call of the pair waits ~0.1 s.
RateLimiterOptions TenPerSecond() {
  return {.requests_per_period = 10, .period = Seconds(1), .target_utilization = 1.0, .burst_fraction = 0.3};
}

TEST_F(SharedStateTest, TwoReplicasDrawOnOneBucket) {
  RateLimiter a(clock_, TenPerSecond(), MakeRedisPacingState(Client(), "m@x", {}, clock_));
  RateLimiter b(clock_, TenPerSecond(), MakeRedisPacingState(Client(), "m@x", {}, clock_));
  // waited() includes the round trip to Redis; a wait for the bucket is ~100 ms.
  for (int i = 0; i < 3; ++i) ASSERT_LT(a.Acquire(0)->waited(), std::chrono::milliseconds(50)) << i;
  auto fourth = b.Acquire(0);
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_GT(fourth->waited(), std::chrono::milliseconds(60)) << "b found the bucket a emptied";
  EXPECT_LT(b.requests_available(), 0.5);

  RateLimiter other(clock_, TenPerSecond(), MakeRedisPacingState(Client(), "other@x", {}, clock_));
  EXPECT_LT(other.Acquire(0)->waited(), std::chrono::milliseconds(50)) << "another name is another limit";
}

TEST_F(SharedStateTest, OneReplicasRetryAfterPausesTheOthers) {
  RateLimiter a(clock_, {}, MakeRedisPacingState(Client(), "m@x", {}, clock_));
  RateLimiter b(clock_, {}, MakeRedisPacingState(Client(), "m@x", {}, clock_));
  a.PauseFor(0.3);
  auto p = b.Acquire(0);
  ASSERT_TRUE(p.ok());
  EXPECT_GT(p->waited(), std::chrono::milliseconds(200));
}

TEST_F(SharedStateTest, TokenSettlementsAreShared) {
  const RateLimiterOptions o{.tokens_per_period = 1000, .period = Seconds(100), .target_utilization = 1.0,
                             .burst_fraction = 1.0};
  RateLimiter a(clock_, o, MakeRedisPacingState(Client(), "m@x", {}, clock_));
  RateLimiter b(clock_, o, MakeRedisPacingState(Client(), "m@x", {}, clock_));
  {
    auto p = a.Acquire(800);
    ASSERT_TRUE(p.ok());
    EXPECT_NEAR(b.tokens_available(), 200, 1);
    p->Settle(100);
  }
  EXPECT_NEAR(b.tokens_available(), 900, 1);
}

TEST_F(SharedStateTest, UnreachableRedisFailsTheReservationUnlessFailOpen) {
  RateLimiter closed(clock_, TenPerSecond(), MakeRedisPacingState(Dead(), "m@x", {}, clock_));
  auto refused = closed.Acquire(0);
  ASSERT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("shared pacing state: redis unix:///nonexistent"), std::string::npos)
      << refused.status();
  EXPECT_EQ(closed.in_flight(), 0);

  RateLimiter open(clock_, TenPerSecond(), MakeRedisPacingState(Dead(), "m@x", {.fail_open = true}, clock_));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(open.Acquire(0).ok()) << "paced by this process alone";
}

BreakerOptions Quick() {
  return {.failure_threshold = 3, .open_for = std::chrono::milliseconds(200), .half_open_trials = 2};
}

TEST_F(SharedStateTest, OneReplicasFailuresOpenTheBreakerForAllAndTrialsCloseItForAll) {
  CircuitBreaker a("gpt", clock_, Quick(), MakeRedisBreakerState(Client(), "gpt@x", {}));
  CircuitBreaker b("gpt", clock_, Quick(), MakeRedisBreakerState(Client(), "gpt@x", {}));
  std::optional<BreakerTransition> opened;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.Allow().allowed);
    opened = a.Record(CallOutcome::kFailure);
  }
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->reason, "3 consecutive failures");
  BreakerDecision refused = b.Allow();
  EXPECT_FALSE(refused.allowed);
  EXPECT_NE(refused.reason.find("circuit open, next trial in 0."), std::string::npos) << refused.reason;
  EXPECT_EQ(b.state(), BreakerState::kOpen);

  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  BreakerDecision trial = b.Allow();
  ASSERT_TRUE(trial.allowed);
  ASSERT_TRUE(trial.transition);
  EXPECT_EQ(trial.transition->reason, "open for 0.2 s");
  ASSERT_TRUE(a.Allow().allowed) << "the second trial, from the other replica";
  EXPECT_FALSE(b.Allow().allowed) << "two trials in flight";
  EXPECT_FALSE(b.Record(CallOutcome::kSuccess));
  auto closed = a.Record(CallOutcome::kSuccess);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->to, BreakerState::kClosed);
  EXPECT_EQ(closed->reason, "2 trial calls succeeded");
  EXPECT_EQ(b.state(), BreakerState::kClosed);
}

TEST_F(SharedStateTest, TrialsOfAReplicaThatDiedDoNotHoldTheBreakerHalfOpenForever) {
  BreakerOptions o = Quick();
  o.half_open_trials = 1;
  CircuitBreaker a("gpt", clock_, o, MakeRedisBreakerState(Client(), "gpt@x", {}));
  CircuitBreaker b("gpt", clock_, o, MakeRedisBreakerState(Client(), "gpt@x", {}));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(a.Allow().allowed);
    a.Record(CallOutcome::kFailure);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  ASSERT_TRUE(a.Allow().allowed);  // a's trial; a then "dies" without recording it
  EXPECT_FALSE(b.Allow().allowed);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  EXPECT_TRUE(b.Allow().allowed) << "a new trial after a whole cool-down without an outcome";
}

TEST_F(SharedStateTest, AnUnreachableBreakerStateFailsClosed) {
  CircuitBreaker breaker("gpt", clock_, Quick(), MakeRedisBreakerState(Dead(), "gpt@x", {}));
  BreakerDecision d = breaker.Allow();
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("breaker state unavailable: shared breaker state: redis"), std::string::npos) << d.reason;
}

ChatResponse Answer(std::string text) {
  ChatResponse r;
  r.model = "gpt";
  r.content = std::move(text);
  r.usage = {.prompt_tokens = 10, .completion_tokens = 2, .cost_usd = 0.001};
  return r;
}

TEST_F(SharedStateTest, AnAnswerCachedByOneReplicaIsAHitOnAnother) {
  RedisResponseCache a(Client(), {}, {});
  RedisResponseCache b(Client(), {}, {});
  a.Put("k1", Answer("391"));
  auto hit = b.Get("k1");
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->content, "391");
  EXPECT_EQ(hit->usage.cost_usd, 0.001);
  EXPECT_EQ(b.stats().hits, 1);
  EXPECT_FALSE(b.Get("k2"));
  EXPECT_EQ(b.stats().misses, 1);
}

TEST_F(SharedStateTest, CacheEntriesExpireByRedisTtlAndTheLeastRecentlyUsedGoBeyondTheBound) {
  RedisResponseCache cache(Client(), {}, {.max_entries = 2, .ttl = std::chrono::milliseconds(200)});
  cache.Put("a", Answer("A"));
  cache.Put("b", Answer("B"));
  ASSERT_TRUE(cache.Get("a"));  // b is now the least recently used
  cache.Put("c", Answer("C"));
  EXPECT_FALSE(cache.Get("b"));
  EXPECT_TRUE(cache.Get("a"));
  EXPECT_EQ(cache.stats().evictions, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(cache.Get("a"));
  EXPECT_FALSE(cache.Get("c"));
}

TEST_F(SharedStateTest, ADamagedCacheEntryIsDroppedNotServed) {
  RedisResponseCache cache(Client(), {}, {});
  ASSERT_TRUE(Client()->Command({"SET", "reagent:cache:bad", "{not json"}).ok());
  EXPECT_FALSE(cache.Get("bad"));
  EXPECT_TRUE(Client()->Command({"EXISTS", "reagent:cache:bad"})->integer == 0);
}

TEST_F(SharedStateTest, AnUnreachableCacheFailsReadsUnlessFailOpen) {
  RedisResponseCache closed(Dead(), {}, {});
  auto r = closed.Fetch("k");
  ASSERT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("shared response cache"), std::string::npos) << r.status();
  closed.Put("k", Answer("x"));  // logged, not thrown

  RedisResponseCache open(Dead(), {.fail_open = true}, {});
  auto miss = open.Fetch("k");
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(*miss);
}

}  // namespace
}  // namespace reagent
