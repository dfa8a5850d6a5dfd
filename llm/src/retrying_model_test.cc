#include "reagent/llm/retrying_model.h"

#include <gtest/gtest.h>

#include "resilience_test_fakes.h"

namespace reagent {
namespace {

using testing::Ask;
using testing::EventLog;
using testing::Fail;
using testing::FakeModel;
using testing::Reply;

// --- backoff shapes ---------------------------------------------------------------------

TEST(RetryPolicy, FullJitterDrawsBelowTheDoublingCap) {
  RetryPolicy p;  // base 0.5 s, cap 20 s, full jitter
  FixedRandom half(0.5);
  EXPECT_EQ(p.Backoff(1, p.base, half), Seconds(0.25));
  EXPECT_EQ(p.Backoff(2, p.base, half), Seconds(0.5));
  EXPECT_EQ(p.Backoff(3, p.base, half), Seconds(1.0));
  EXPECT_EQ(p.Backoff(10, p.base, half), Seconds(10.0));  // 0.5·2^9 = 256 capped at 20
  FixedRandom zero(0.0);
  EXPECT_EQ(p.Backoff(1, p.base, zero), Duration::zero());
}

TEST(RetryPolicy, EqualJitterWaitsAtLeastHalfTheExponential) {
  RetryPolicy p{.backoff = BackoffKind::kEqualJitter};
  FixedRandom zero(0.0), half(0.5);
  EXPECT_EQ(p.Backoff(1, p.base, zero), Seconds(0.25));
  EXPECT_EQ(p.Backoff(3, p.base, zero), Seconds(1.0));
  EXPECT_EQ(p.Backoff(3, p.base, half), Seconds(1.5));
}

TEST(RetryPolicy, DecorrelatedJitterGrowsFromThePreviousWait) {
  RetryPolicy p{.backoff = BackoffKind::kDecorrelatedJitter};
  FixedRandom half(0.5);
  // U(base, 3·previous) at 0.5: base + (3·prev − base)/2.
  EXPECT_EQ(p.Backoff(1, Seconds(0.5), half), Seconds(1.0));
  EXPECT_EQ(p.Backoff(2, Seconds(4.0), half), Seconds(6.25));
  EXPECT_EQ(p.Backoff(5, Seconds(30.0), half), Seconds(20.0));  // capped
}

TEST(RetryPolicy, FixedAndFibonacciShapes) {
  FixedRandom any(0.9);
  RetryPolicy fixed{.backoff = BackoffKind::kFixed, .base = Seconds(2)};
  EXPECT_EQ(fixed.Backoff(1, fixed.base, any), Seconds(2));
  EXPECT_EQ(fixed.Backoff(7, fixed.base, any), Seconds(2));
  RetryPolicy fib{.backoff = BackoffKind::kFibonacci, .base = Seconds(1)};
  std::vector<double> waits;
  for (int n = 1; n <= 7; ++n) waits.push_back(ToSeconds(fib.Backoff(n, fib.base, any)));
  EXPECT_EQ(waits, (std::vector<double>{1, 1, 2, 3, 5, 8, 13}));
  EXPECT_EQ(fib.Backoff(12, fib.base, any), Seconds(20));  // 144 capped
}

TEST(RetryPolicy, BackoffNamesRoundTripAndUnknownNamesAreRejected) {
  for (auto kind : {BackoffKind::kFullJitter, BackoffKind::kEqualJitter,
                    BackoffKind::kDecorrelatedJitter, BackoffKind::kFixed, BackoffKind::kFibonacci}) {
    Result<BackoffKind> parsed = ParseBackoffKind(BackoffKindName(kind));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, kind);
  }
  Result<BackoffKind> bad = ParseBackoffKind("exponential");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("exponential"), std::string::npos);
}

TEST(RetryPolicy, ValidateNamesTheBadField) {
  EXPECT_TRUE(RetryPolicy{}.Validate().ok());
  Status s = RetryPolicy{.max_attempts = 0}.Validate();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("max_attempts"), std::string::npos);
  EXPECT_FALSE(RetryPolicy{.budget_ratio = 1.5}.Validate().ok());
}

// --- the retry loop -----------------------------------------------------------------------

struct RetryFixture : ::testing::Test {
  ManualClock clock;
  FixedRandom random{0.5};
};

TEST_F(RetryFixture, ServerErrorsAreRetriedWithBackoffUntilSuccess) {
  auto fake = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kServerError, 500),
                                            Fail(ModelErrorKind::kOverloaded, 503), Reply("ok")});
  RetryingModel model(fake, clock, random);
  ChatResult r = model.Complete(Ask());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->content, "ok");
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(fake->calls(), 3);
  EXPECT_EQ(clock.slept(), Seconds(0.25) + Seconds(0.5));  // full jitter at 0.5
}

TEST_F(RetryFixture, RetryAfterSecondsIsHonouredExactly) {
  auto fake = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kRateLimited, 429, 2.0), Reply("ok")});
  RetryingModel model(fake, clock, random);
  EventLog log;
  ChatRequest req = Ask();
  req.on_event = log.callback();
  ChatResult r = model.Complete(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(clock.slept(), Seconds(2.0));
  ASSERT_EQ(log.events.size(), 1u);
  EXPECT_EQ(log.events[0].kind, ModelEvent::Kind::kRetry);
  EXPECT_EQ(log.events[0].attempt, 1);
  EXPECT_EQ(log.events[0].wait, Seconds(2.0));
  EXPECT_EQ(log.events[0].reason, "rate_limited (429)");
  EXPECT_EQ(log.events[0].model, "gpt-4.1");
}

TEST_F(RetryFixture, SixtySecondRetryAfterIsWaitedOnTheSimulatedClock) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 60.0), Reply("ok")});
  RetryingModel model(fake, clock, random);
  ASSERT_TRUE(model.Complete(Ask()).ok());
  EXPECT_EQ(clock.Now().time_since_epoch(), Seconds(60));
}

TEST_F(RetryFixture, HintPaddingIsAddedToTheServerHint) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 2.0), Reply("ok")});
  RetryingModel model(fake, clock, random, RetryPolicy{.hint_padding = Seconds(1)});
  ASSERT_TRUE(model.Complete(Ask()).ok());
  EXPECT_EQ(clock.slept(), Seconds(3.0));
}

TEST_F(RetryFixture, RateLimitResetHeaderIsUsedWithoutRetryAfter) {
  ChatResult limited = Fail(ModelErrorKind::kRateLimited, 429);
  limited.error().rate_limit.remaining_requests = 0;
  limited.error().rate_limit.reset_requests_s = 6.5;
  limited.error().rate_limit.remaining_tokens = 1200;
  limited.error().rate_limit.reset_tokens_s = 0.25;
  auto fake = FakeModel::Script("m", {limited, Reply("ok")});
  RetryingModel model(fake, clock, random);
  ASSERT_TRUE(model.Complete(Ask()).ok());
  EXPECT_EQ(clock.slept(), Seconds(6.5));  // the empty bucket's reset, not the tokens'
}

TEST_F(RetryFixture, HintBeyondMaxWaitFailsFastWithTheHint) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 120.0), Reply("ok")});
  RetryingModel model(fake, clock, random);
  ChatResult r = model.Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(r.error().retry_after_s, 120.0);
  EXPECT_NE(r.error().message.find("120.0 s"), std::string::npos) << r.error().message;
  EXPECT_EQ(fake->calls(), 1);
  EXPECT_EQ(clock.slept(), Duration::zero());
}

TEST_F(RetryFixture, AHintPastInt64NanosecondsIsStillTooLongNotRetriedAtOnce) {
  // Retry-After: 10000000000 (317 years) once wrapped to a negative wait and was retried
  // ten times in a second.
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 1e10), Reply("ok")});
  RetryingModel model(fake, clock, random, RetryPolicy{.max_attempts = 10});
  ChatResult r = model.Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(fake->calls(), 1);
  EXPECT_EQ(clock.slept(), Duration::zero());
}

TEST_F(RetryFixture, ARetryRuledOutByTheDeadlineSaysSo) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kServerError, 500, 5.0), Reply("ok")});
  RetryingModel model(fake, clock, random);
  ChatRequest req = Ask();
  req.deadline = clock.Now() + Seconds(2);
  ChatResult r = model.Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().hit_deadline);
  EXPECT_EQ(fake->calls(), 1);
}

class NeverRetried : public RetryFixture,
                     public ::testing::WithParamInterface<std::pair<ModelErrorKind, int>> {};

TEST_P(NeverRetried, FailsAfterOneAttemptWithoutWaiting) {
  auto [kind, status] = GetParam();
  auto fake = FakeModel::Script("m", {Fail(kind, status, 1.0), Reply("ok")});
  RetryingModel model(fake, clock, random, RetryPolicy{.max_attempts = 5});
  ChatResult r = model.Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, kind);
  EXPECT_EQ(r.error().message, "scripted failure");
  EXPECT_EQ(fake->calls(), 1);
  EXPECT_EQ(clock.slept(), Duration::zero());
}

INSTANTIATE_TEST_SUITE_P(
    RetryingModel, NeverRetried,
    ::testing::Values(std::pair{ModelErrorKind::kQuotaExhausted, 429},
                      std::pair{ModelErrorKind::kAuth, 401},
                      std::pair{ModelErrorKind::kBadRequest, 400},
                      std::pair{ModelErrorKind::kContextLengthExceeded, 400},
                      std::pair{ModelErrorKind::kContentFilter, 400},
                      std::pair{ModelErrorKind::kNotFound, 404},
                      std::pair{ModelErrorKind::kCancelled, 0}),
    [](const auto& param_info) { return std::string(ModelErrorKindName(param_info.param.first)); });

TEST_F(RetryFixture, QuotaExhaustedIsNeverRetried) {
  auto fake = FakeModel::Script(
      "m", {Fail(ModelErrorKind::kQuotaExhausted, 429, std::nullopt, "insufficient_quota")});
  RetryingModel model(fake, clock, random);
  ChatResult r = model.Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "insufficient_quota");
  EXPECT_EQ(fake->calls(), 1);
}

TEST_F(RetryFixture, GivesUpAfterMaxAttemptsAndSaysSo) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kServerError, 502)});
  RetryingModel model(fake, clock, random);
  ChatResult r = model.Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kServerError);
  EXPECT_EQ(r.error().message, "scripted failure (gave up after 3 attempts)");
  EXPECT_EQ(fake->calls(), 3);
}

TEST_F(RetryFixture, OneAttemptMeansNoRetry) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kServerError, 500), Reply("ok")});
  RetryingModel model(fake, clock, random, RetryPolicy{.max_attempts = 1});
  EXPECT_FALSE(model.Complete(Ask()).ok());
  EXPECT_EQ(fake->calls(), 1);
}

TEST_F(RetryFixture, NeverSleepsPastTheDeadline) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 5.0), Reply("ok")});
  RetryingModel model(fake, clock, random);
  ChatRequest req = Ask();
  req.deadline = clock.Now() + Seconds(4);
  ChatResult r = model.Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_NE(r.error().message.find("would pass the deadline"), std::string::npos);
  EXPECT_EQ(fake->calls(), 1);
  EXPECT_EQ(clock.slept(), Duration::zero());
}

TEST_F(RetryFixture, RetriesWhileTheDeadlineAllows) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kRateLimited, 429, 3.0),
                                      Fail(ModelErrorKind::kRateLimited, 429, 3.0), Reply("ok")});
  RetryingModel model(fake, clock, random);
  ChatRequest req = Ask();
  req.deadline = clock.Now() + Seconds(5);
  ChatResult r = model.Complete(req);
  ASSERT_FALSE(r.ok());  // 3 s fits, 3 + 3 does not
  EXPECT_EQ(fake->calls(), 2);
  EXPECT_EQ(clock.slept(), Seconds(3));
}

TEST_F(RetryFixture, CancellationDuringBackoffEndsTheCall) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kServerError, 500), Reply("ok")});
  RetryingModel model(fake, clock, random);
  CancellationSource source;
  ChatRequest req = Ask();
  req.cancel = source.token();
  req.on_event = [&](const ModelEvent&) { source.Cancel(); };  // cancel as the wait starts
  ChatResult r = model.Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kCancelled);
  EXPECT_EQ(fake->calls(), 1);
}

TEST_F(RetryFixture, EachAttemptGetsAFreshRequest) {
  // A model that consumes its request (moves the messages out) must not leave the retry
  // with an empty conversation — the C++ face of "coroutine already executing".
  std::vector<size_t> seen;
  auto fake = std::make_shared<FakeModel>("m", [&](const ChatRequest& req, int call) -> ChatResult {
    seen.push_back(req.messages.size());
    auto consumed = std::move(const_cast<ChatRequest&>(req).messages);
    if (call == 0) return Fail(ModelErrorKind::kNetwork);
    return Reply("ok");
  });
  RetryingModel model(fake, clock, random);
  ChatRequest req = Ask("question");
  ASSERT_TRUE(model.Complete(req).ok());
  EXPECT_EQ(seen, (std::vector<size_t>{1, 1}));
  ASSERT_EQ(req.messages.size(), 1u);
  EXPECT_EQ(req.messages[0].content, "question");
}

TEST_F(RetryFixture, StreamIsRetriedBeforeTheFirstDelta) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kOverloaded, 503), Reply("hello")});
  RetryingModel model(fake, clock, random);
  std::string received;
  ChatResult r = model.Stream(Ask(), [&](const ChatDelta& d) { received += d.content; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(received, "hello");
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(fake->streamed(), (std::vector<bool>{true, true}));
}

TEST_F(RetryFixture, StreamIsNotRetriedAfterTheFirstDelta) {
  auto fake = FakeModel::Script("m", {Reply("unused")});
  fake->set_stream_handler([](const ChatRequest&, const DeltaCallback& on_delta, int) {
    on_delta(ChatDelta{.content = "Hel"});
    return Fail(ModelErrorKind::kMalformedResponse, 200);  // truncated stream
  });
  RetryingModel model(fake, clock, random);
  std::string received;
  ChatResult r = model.Stream(Ask(), [&](const ChatDelta& d) { received += d.content; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kMalformedResponse);
  EXPECT_NE(r.error().message.find("stream had already started"), std::string::npos);
  EXPECT_EQ(received, "Hel");
  EXPECT_EQ(fake->calls(), 1);
}

TEST_F(RetryFixture, RetryBudgetStopsStorm) {
  // Every call fails. Unbudgeted, 100 calls × 3 attempts = 300 requests to a sick provider;
  // with the default budget (10 % of calls + 10 per window) the retries stop at 20.
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kOverloaded, 503)});
  RetryingModel model(fake, clock, random);
  int budget_refusals = 0;
  for (int i = 0; i < 100; ++i) {
    ChatResult r = model.Complete(Ask());
    ASSERT_FALSE(r.ok());
    budget_refusals += r.error().message.find("retry budget exhausted") != std::string::npos;
  }
  EXPECT_EQ(fake->calls(), 120);
  EXPECT_EQ(model.budget().retries_in_window(), 20);
  EXPECT_EQ(budget_refusals, 95);  // calls 6..100 each met an empty budget
}

TEST_F(RetryFixture, RetryBudgetRefillsAsTheWindowSlides) {
  auto fake = FakeModel::Script("m", {Fail(ModelErrorKind::kOverloaded, 503)});
  RetryPolicy policy{.budget_ratio = 0.0, .budget_min_retries = 2};
  RetryingModel model(fake, clock, random, policy);
  (void)model.Complete(Ask());  // 1 + 2 retries: the budget is spent
  (void)model.Complete(Ask());  // no retry
  EXPECT_EQ(fake->calls(), 4);
  clock.Advance(policy.budget_window);
  (void)model.Complete(Ask());  // the window moved on: retries again
  EXPECT_EQ(fake->calls(), 7);
}

TEST_F(RetryFixture, SharedBudgetLimitsRetriesAcrossModels) {
  auto budget = std::make_shared<RetryBudget>(clock, 0.0, Seconds(60), 1);
  auto a = FakeModel::Script("a", {Fail(ModelErrorKind::kTimeout)});
  auto b = FakeModel::Script("b", {Fail(ModelErrorKind::kTimeout)});
  RetryingModel ra(a, clock, random, {}, budget), rb(b, clock, random, {}, budget);
  (void)ra.Complete(Ask());
  (void)rb.Complete(Ask());
  EXPECT_EQ(a->calls() + b->calls(), 3);  // one retry in all
}

}  // namespace
}  // namespace reagent
