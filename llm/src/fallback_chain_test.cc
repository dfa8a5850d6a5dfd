#include "reagent/llm/fallback_chain.h"

#include <gtest/gtest.h>

#include "reagent/llm/retrying_model.h"
#include "resilience_test_fakes.h"

namespace reagent {
namespace {

using testing::Ask;
using testing::EventLog;
using testing::Fail;
using testing::FakeModel;
using testing::Reply;

struct FallbackFixture : ::testing::Test {
  ManualClock clock;
  FixedRandom random{0.5};

  FallbackEntry Entry(std::shared_ptr<ChatModel> model, bool breaker = true,
                      BreakerOptions options = {}) {
    FallbackEntry e{.model = std::move(model)};
    if (breaker) e.breaker = std::make_shared<CircuitBreaker>(e.model->name(), clock, options);
    return e;
  }
  std::shared_ptr<ChatModel> Retrying(std::shared_ptr<ChatModel> model) {
    return std::make_shared<RetryingModel>(std::move(model), clock, random);
  }
};

TEST_F(FallbackFixture, FirstHealthyModelAnswersWithoutFallback) {
  auto primary = FakeModel::Script("gpt-4.1", {Reply("391")});
  auto backup = FakeModel::Script("gpt-4.1-mini", {Reply("unused")});
  FallbackChain chain({Entry(primary), Entry(backup)}, clock);
  ChatResult r = chain.Complete(Ask());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "gpt-4.1");
  EXPECT_EQ(r->fallbacks, 0);
  EXPECT_EQ(backup->calls(), 0);
  EXPECT_EQ(primary->requests()[0].model, "gpt-4.1");
  EXPECT_EQ(chain.name(), "gpt-4.1");
}

TEST_F(FallbackFixture, FallbackAfterRetriesAreExhausted) {
  auto primary = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kOverloaded, 503)});
  auto backup = FakeModel::Script("gpt-4.1-mini", {Reply("391")});
  FallbackChain chain({Entry(Retrying(primary)), Entry(Retrying(backup))}, clock);
  EventLog log;
  ChatRequest req = Ask();
  req.on_event = log.callback();
  ChatResult r = chain.Complete(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "gpt-4.1-mini");
  EXPECT_EQ(r->fallbacks, 1);
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(primary->calls(), 3);
  EXPECT_EQ(log.count(ModelEvent::Kind::kRetry), 2);
  ASSERT_EQ(log.count(ModelEvent::Kind::kFallback), 1);
  const ModelEvent& fb = log.events.back();
  EXPECT_EQ(fb.kind, ModelEvent::Kind::kFallback);
  EXPECT_EQ(fb.model, "gpt-4.1");
  EXPECT_EQ(fb.to_model, "gpt-4.1-mini");
  EXPECT_EQ(fb.reason, "overloaded (503): scripted failure (gave up after 3 attempts)");
}

TEST_F(FallbackFixture, FallbackKeepsToolsAndStreaming) {
  auto primary = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kServerError, 500)});
  auto backup = FakeModel::Script("deepseek-chat", {Reply("streamed answer")});
  FallbackChain chain({Entry(primary), Entry(backup)}, clock);
  ChatRequest req = Ask();
  req.tools.push_back(ToolSpec{.name = "calculator", .description = "Evaluates arithmetic",
                               .parameters = {{"type", "object"}}});
  req.tool_choice = {{"type", "function"}, {"function", {{"name", "calculator"}}}};
  req.response_format = {{"type", "json_object"}};
  req.temperature = 0.0;
  req.max_tokens = 256;
  req.stop = {"Observation:"};
  std::string received;
  ChatResult r = chain.Stream(req, [&](const ChatDelta& d) { received += d.content; });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(received, "streamed answer");
  ASSERT_EQ(backup->calls(), 1);
  const ChatRequest sent = backup->requests()[0];
  EXPECT_EQ(sent.model, "deepseek-chat");
  EXPECT_EQ(sent.tools, req.tools);
  EXPECT_EQ(sent.tool_choice, req.tool_choice);
  EXPECT_EQ(sent.response_format, req.response_format);
  EXPECT_EQ(sent.temperature, req.temperature);
  EXPECT_EQ(sent.max_tokens, req.max_tokens);
  EXPECT_EQ(sent.stop, req.stop);
  EXPECT_EQ(sent.messages, req.messages);
  EXPECT_EQ(backup->streamed(), std::vector<bool>{true});
  EXPECT_EQ(primary->streamed(), std::vector<bool>{true});
}

TEST_F(FallbackFixture, ContextLengthExceededMovesToABiggerModel) {
  auto small = FakeModel::Script("small-8k", {Fail(ModelErrorKind::kContextLengthExceeded, 400)});
  auto big = FakeModel::Script("big-128k", {Reply("fits")});
  FallbackChain chain({Entry(Retrying(small)), Entry(Retrying(big))}, clock);
  ChatResult r = chain.Complete(Ask());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "big-128k");
  EXPECT_EQ(small->calls(), 1);  // not retried, not counted against the breaker
  EXPECT_EQ(chain.entries()[0].breaker->state(), BreakerState::kClosed);
}

TEST_F(FallbackFixture, QuotaExhaustedMovesToTheNextProvider) {
  auto openai = FakeModel::Script(
      "gpt-4.1", {Fail(ModelErrorKind::kQuotaExhausted, 429, std::nullopt, "insufficient_quota")});
  auto deepseek = FakeModel::Script("deepseek-chat", {Reply("ok")});
  FallbackChain chain({Entry(Retrying(openai)), Entry(Retrying(deepseek))}, clock);
  ChatResult r = chain.Complete(Ask());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "deepseek-chat");
  EXPECT_EQ(r->fallbacks, 1);
  EXPECT_EQ(openai->calls(), 1);
  EXPECT_EQ(clock.slept(), Duration::zero());
}

TEST_F(FallbackFixture, BadRequestAndContentFilterDoNotFallBack) {
  for (ModelErrorKind kind : {ModelErrorKind::kBadRequest, ModelErrorKind::kContentFilter}) {
    auto primary = FakeModel::Script("gpt-4.1", {Fail(kind, 400)});
    auto backup = FakeModel::Script("gpt-4.1-mini", {Reply("unused")});
    FallbackChain chain({Entry(primary), Entry(backup)}, clock);
    ChatResult r = chain.Complete(Ask());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, kind);
    EXPECT_EQ(backup->calls(), 0);
  }
}

TEST_F(FallbackFixture, OpenBreakerSkipsTheModelUntilItsCoolDownEnds) {
  auto primary = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kServerError, 500),
                                               Fail(ModelErrorKind::kServerError, 500),
                                               Reply("primary back")});
  auto backup = FakeModel::Script("gpt-4.1-mini", {Reply("backup")});
  BreakerOptions quick{.failure_threshold = 2, .open_for = Seconds(30), .half_open_trials = 1};
  FallbackChain chain({Entry(primary, true, quick), Entry(backup)}, clock);
  EventLog log;
  ChatRequest req = Ask();
  req.on_event = log.callback();
  ASSERT_EQ(chain.Complete(req)->model, "gpt-4.1-mini");
  ASSERT_EQ(chain.Complete(req)->model, "gpt-4.1-mini");  // second failure opens the breaker
  EXPECT_EQ(log.count(ModelEvent::Kind::kBreakerTransition), 1);
  ChatResult skipped = chain.Complete(req);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->model, "gpt-4.1-mini");
  EXPECT_EQ(primary->calls(), 2);  // not called while open
  EXPECT_EQ(log.events.back().reason, "circuit open, next trial in 30.0 s");

  clock.Advance(Seconds(30));
  log.events.clear();
  ChatResult back = chain.Complete(req);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->model, "gpt-4.1");
  EXPECT_EQ(back->content, "primary back");
  ASSERT_EQ(log.events.size(), 2u);  // open → half_open, half_open → closed
  EXPECT_EQ(log.events[0].from_state, "open");
  EXPECT_EQ(log.events[0].to_state, "half_open");
  EXPECT_EQ(log.events[1].to_state, "closed");
  EXPECT_EQ(log.events[1].model, "gpt-4.1");
}

TEST_F(FallbackFixture, AllUnavailableListsEachModelsReason) {
  auto a = FakeModel::Script("gpt-4.1", {Fail(ModelErrorKind::kServerError, 500)});
  auto b = FakeModel::Script("gpt-4.1-mini", {Fail(ModelErrorKind::kRateLimited, 429, 1.0)});
  BreakerOptions one{.failure_threshold = 1};
  FallbackChain chain({Entry(a, true, one), Entry(Retrying(b))}, clock);
  (void)chain.Complete(Ask());  // opens a's breaker
  clock.Advance(Seconds(15));
  ChatResult r = chain.Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kUnavailable);
  EXPECT_EQ(ModelErrorKindName(r.error().kind), "unavailable");
  EXPECT_EQ(r.error().message,
            "no model could answer: gpt-4.1: circuit open, next trial in 43.0 s; "
            "gpt-4.1-mini: rate_limited (429): scripted failure (gave up after 3 attempts)");
  ASSERT_TRUE(r.error().retry_after_s.has_value());
  // The soonest of a's breaker (43 s) and b's own hint (1 s).
  EXPECT_DOUBLE_EQ(*r.error().retry_after_s, 1.0);
}

TEST_F(FallbackFixture, AStreamThatHasStartedIsNotFallenBack) {
  auto primary = FakeModel::Script("gpt-4.1", {Reply("unused")});
  primary->set_stream_handler([](const ChatRequest&, const DeltaCallback& on_delta, int) {
    on_delta(ChatDelta{.content = "partial"});
    return Fail(ModelErrorKind::kNetwork);
  });
  auto backup = FakeModel::Script("gpt-4.1-mini", {Reply("whole")});
  FallbackChain chain({Entry(primary), Entry(backup)}, clock);
  std::string received;
  ChatResult r = chain.Stream(Ask(), [&](const ChatDelta& d) { received += d.content; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kNetwork);
  EXPECT_EQ(received, "partial");
  EXPECT_EQ(backup->calls(), 0);
}

TEST_F(FallbackFixture, PassedDeadlineStopsTheChain) {
  auto slow = std::make_shared<FakeModel>("gpt-4.1", [&](const ChatRequest&, int) {
    clock.Advance(Seconds(60));  // the request timed out after 60 s
    return Fail(ModelErrorKind::kTimeout);
  });
  auto backup = FakeModel::Script("gpt-4.1-mini", {Reply("late")});
  FallbackChain chain({Entry(slow), Entry(backup)}, clock);
  ChatRequest req = Ask();
  req.deadline = clock.Now() + Seconds(30);
  ChatResult r = chain.Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kTimeout);
  EXPECT_EQ(r.error().message,
            "deadline passed before a model could answer (gpt-4.1: timeout: scripted failure)");
  EXPECT_EQ(backup->calls(), 0);
}

TEST_F(FallbackFixture, ModelNameOverrideRoutesOneEndpointToSeveralModels) {
  auto endpoint = FakeModel::Script("endpoint", {Fail(ModelErrorKind::kNotFound, 404), Reply("ok")});
  FallbackChain chain({FallbackEntry{.model = endpoint, .model_name = "gpt-5"},
                       FallbackEntry{.model = endpoint, .model_name = "gpt-4.1"}},
                      clock);
  ChatResult r = chain.Complete(Ask());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->model, "gpt-4.1");
  EXPECT_EQ(endpoint->requests()[0].model, "gpt-5");
  EXPECT_EQ(endpoint->requests()[1].model, "gpt-4.1");
}

TEST_F(FallbackFixture, EmptyChainIsUnavailable) {
  FallbackChain chain({}, clock);
  ChatResult r = chain.Complete(Ask());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kUnavailable);
  EXPECT_EQ(r.error().message, "no model configured");
}

}  // namespace
}  // namespace reagent
