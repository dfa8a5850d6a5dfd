// The whole stack (limiter → retry → breaker → fallback) built by MakeResilientModel, driven
// by the scripted test double and the real HTTP error classification, on a simulated clock.
#include "reagent/llm/resilient_model.h"

#include <gtest/gtest.h>

#include "reagent/llm/caching_model.h"
#include "reagent/llm/http_error.h"
#include "reagent/llm/scripted_model.h"
#include "resilience_test_fakes.h"

namespace reagent {
namespace {

using testing::Ask;
using testing::EventLog;
using testing::Fail;
using testing::FakeModel;
using testing::Reply;

std::shared_ptr<ChatModel> Scripted(const std::string& name, const char* replies, Clock& clock) {
  auto model = ScriptedModel::Create(name, nlohmann::json::parse(replies), clock);
  EXPECT_TRUE(model.ok()) << model.status();
  return std::shared_ptr<ChatModel>(std::move(*model));
}

struct StackFixture : ::testing::Test {
  ManualClock clock;
  SeededRandom random{7};
};

TEST_F(StackFixture, ScriptedRateLimitIsWaitedOutThenAnswered) {
  auto gpt = Scripted("gpt-4.1", R"([{"error": {"status": 429, "retry_after": 2}},
                                     {"content": "391", "usage": {"prompt_tokens": 120,
                                                                  "completion_tokens": 14}}])",
                      clock);
  auto mini = Scripted("gpt-4.1-mini", "[]", clock);
  auto chain = MakeResilientModel({{.model = gpt}, {.model = mini}}, {}, clock, random);
  ASSERT_TRUE(chain.ok()) << chain.status();
  EventLog log;
  ChatRequest req = Ask();
  req.on_event = log.callback();
  ChatResult r = (*chain)->Complete(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content, "391");
  EXPECT_EQ(r->model, "gpt-4.1");
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(r->fallbacks, 0);
  EXPECT_EQ(clock.Now().time_since_epoch(), Seconds(2));
  ASSERT_EQ(log.count(ModelEvent::Kind::kRetry), 1);
  EXPECT_EQ(log.events[0].wait, Seconds(2));
}

TEST_F(StackFixture, RetryAfterHttpDateIsHonoured) {
  // A 429 whose Retry-After is an HTTP date 90 s after the (simulated) wall clock.
  const std::string date = "Wed, 01 Jan 2025 00:01:30 GMT";  // ManualClock starts at 00:00:00
  ModelError limited = ModelErrorFromHttp(429, {{"retry-after", date}}, "{}", "gpt-4.1",
                                          clock.WallNow());
  ASSERT_EQ(limited.kind, ModelErrorKind::kRateLimited);
  auto fake = FakeModel::Script("gpt-4.1", {MakeUnexpected(limited), Reply("ok")});
  // max_hint_wait above 90 s, so the date is waited out rather than failed fast.
  auto chain = MakeResilientModel({{.model = fake}},
                                  {.retry = {.max_hint_wait = Seconds(120)}}, clock, random);
  ASSERT_TRUE(chain.ok());
  ChatResult r = (*chain)->Complete(Ask());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(clock.slept(), Seconds(90));

  // With the default 60 s max wait the same date fails fast, carrying the hint.
  ManualClock fresh;
  ModelError again = ModelErrorFromHttp(429, {{"retry-after", date}}, "{}", "gpt-4.1",
                                        fresh.WallNow());
  auto fake2 = FakeModel::Script("gpt-4.1", {MakeUnexpected(again), Reply("ok")});
  auto strict = MakeResilientModel({{.model = fake2}}, {.use_limiters = false}, fresh, random);
  ASSERT_TRUE(strict.ok());
  ChatResult failed = (*strict)->Complete(Ask());
  ASSERT_FALSE(failed.ok());
  // No model could answer; the chain's verdict carries the server's hint.
  EXPECT_EQ(failed.error().kind, ModelErrorKind::kUnavailable);
  EXPECT_EQ(failed.error().retry_after_s, 90.0);
  EXPECT_NE(failed.error().message.find("90.0 s"), std::string::npos) << failed.error().message;
  EXPECT_EQ(fake2->calls(), 1);
  EXPECT_EQ(fresh.slept(), Duration::zero());
}

TEST_F(StackFixture, OutageOpensTheBreakerAndTheFallbackServes) {
  auto primary = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kOverloaded, 503)});
  auto backup = FakeModel::Script("deepseek-chat", {Reply("served")});
  auto chain = MakeResilientModel({{.model = primary}, {.model = backup}}, {}, clock, random);
  ASSERT_TRUE(chain.ok());
  for (int i = 0; i < 10; ++i) {
    ChatResult r = (*chain)->Complete(Ask());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->model, "deepseek-chat");
  }
  // 5 calls × 3 attempts opened the breaker; the next 5 calls skipped the primary.
  EXPECT_EQ(primary->calls(), 15);
  EXPECT_EQ((*chain)->entries()[0].breaker->state(), BreakerState::kOpen);
}

TEST_F(StackFixture, RetriesArePacedByTheLimiterBelowThem) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kServerError, 500), Reply("ok")});
  ResilienceOptions options{.retry = {.backoff = BackoffKind::kFixed, .base = Seconds(0.1)}};
  auto chain = MakeResilientModel(
      {{.model = fake,
        .limits = RateLimiterOptions{.requests_per_period = 6, .target_utilization = 1.0,
                                     .burst_fraction = 0.0}}},
      options, clock, random);
  ASSERT_TRUE(chain.ok());
  EventLog log;
  ChatRequest req = Ask();
  req.on_event = log.callback();
  ASSERT_TRUE((*chain)->Complete(req).ok());
  // 0.1 s backoff, then the limiter holds the retry until 10 s after the first attempt.
  EXPECT_EQ(clock.Now().time_since_epoch(), Seconds(10));
  ASSERT_EQ(log.count(ModelEvent::Kind::kLimiterWait), 1);
  EXPECT_EQ(log.events.back().wait, Seconds(9.9));
}

TEST_F(StackFixture, CacheInFrontSavesTheWholeStack) {
  auto fake = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kServerError, 500), Reply("ok")});
  auto chain = MakeResilientModel({{.model = fake}}, {}, clock, random);
  ASSERT_TRUE(chain.ok());
  CachingModel cached(*chain, std::make_shared<InMemoryResponseCache>(clock));
  ChatRequest req = Ask();
  req.temperature = 0.0;
  ASSERT_EQ(cached.Complete(req)->attempts, 2);
  ChatResult hit = cached.Complete(req);
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(hit->cache_hit);
  EXPECT_EQ(fake->calls(), 2);
}

TEST_F(StackFixture, ScriptFaultsSurfaceInsteadOfFallingBack) {
  auto gpt = Scripted("gpt-4.1", "[]", clock);
  auto mini = Scripted("gpt-4.1-mini", R"([{"content": "would hide the bug"}])", clock);
  auto chain = MakeResilientModel({{.model = gpt}, {.model = mini}}, {}, clock, random);
  ASSERT_TRUE(chain.ok());
  ChatResult r = (*chain)->Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsScriptFault(r.error()));
}

TEST_F(StackFixture, InvalidOptionsAreRejectedWithTheFieldName) {
  auto fake = FakeModel::Script("m", {Reply("ok")});
  auto bad = MakeResilientModel({{.model = fake}}, {.retry = {.max_attempts = 0}}, clock, random);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("max_attempts"), std::string::npos);
  auto empty = MakeResilientModel({}, {}, clock, random);
  EXPECT_FALSE(empty.ok());
  auto null_model = MakeResilientModel({{}}, {}, clock, random);
  ASSERT_FALSE(null_model.ok());
  EXPECT_NE(null_model.status().message().find("model #1"), std::string::npos);
}

}  // namespace
}  // namespace reagent
