#include "reagent/llm/scripted_model.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

using nlohmann::json;

ScriptedModelOptions CountingOptions() {
  return {.count_prompt_tokens = [](const ChatRequest& r) { return static_cast<int64_t>(r.messages.size()) * 10; },
          .count_text_tokens = [](std::string_view t) { return static_cast<int64_t>(t.size()); }};
}

std::unique_ptr<ScriptedModel> Make(const char* script, Clock& clock,
                                    ScriptedModelOptions options = CountingOptions()) {
  auto model = ScriptedModel::Create("gpt-4.1", json::parse(script), clock, std::move(options));
  EXPECT_TRUE(model.ok()) << model.status();
  return std::move(*model);
}

ChatRequest Ask(std::string text) {
  ChatRequest r;
  r.messages.push_back(Message::User(std::move(text)));
  return r;
}

TEST(ScriptedModel, RepliesInOrderWithScriptedUsage) {
  ManualClock clock;
  auto model = Make(R"([{"content": "first", "usage": {"prompt_tokens": 120, "completion_tokens": 14}},
                        {"content": "second"}])", clock);
  ChatResult a = model->Complete(Ask("q"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->content, "first");
  EXPECT_EQ(a->finish_reason, "stop");
  EXPECT_EQ(a->usage.prompt_tokens, 120);
  EXPECT_EQ(a->usage.completion_tokens, 14);
  EXPECT_EQ(a->model, "gpt-4.1");
  ChatResult b = model->Complete(Ask("q"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->content, "second");
  // Counted with the injected counters: one message = 10, "second" = 6.
  EXPECT_EQ(b->usage.prompt_tokens, 10);
  EXPECT_EQ(b->usage.completion_tokens, 6);
  EXPECT_EQ(model->remaining(), 0u);
}

TEST(ScriptedModel, RequestsAreKeptUnlessRecordingIsOff) {
  ManualClock clock;
  const char* script = R"([{"content": "a"}, {"content": "b"}])";
  auto recording = Make(script, clock);
  auto quiet = Make(script, clock, {.record_requests = false});
  for (ScriptedModel* m : {recording.get(), quiet.get()}) {
    ASSERT_TRUE(m->Complete(Ask("one")).ok());
    ASSERT_TRUE(m->Complete(Ask("two")).ok());
    EXPECT_EQ(m->calls(), 2u);
  }
  ASSERT_EQ(recording->requests().size(), 2u);
  EXPECT_EQ(recording->requests()[1].messages[0].content, "two");
  EXPECT_TRUE(quiet->requests().empty());
}

TEST(ScriptedModel, ToolCallsGetIdsAndJsonArguments) {
  ManualClock clock;
  auto model = Make(R"([{"tool_calls": [{"name": "calculator", "arguments": {"expression": "17*23"}},
                                        {"name": "search", "arguments": "not json", "id": "call_x"}]}])", clock);
  ChatResult r = model->Complete(Ask("q"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->tool_calls.size(), 2u);
  EXPECT_EQ(r->tool_calls[0], (ToolCall{"call_1", "calculator", R"({"expression":"17*23"})"}));
  EXPECT_EQ(r->tool_calls[1], (ToolCall{"call_x", "search", "not json"}));
  EXPECT_EQ(r->finish_reason, "tool_calls");
}

TEST(ScriptedModel, ScriptedErrorsCarryKindAndRetryAfter) {
  ManualClock clock;
  auto model = Make(R"([{"error": {"status": 429, "retry_after": 2}},
                        {"error": {"status": 429, "code": "insufficient_quota"}},
                        {"error": {"status": 400, "code": "context_length_exceeded"}},
                        {"error": {"status": 503}},
                        {"error": {"status": 401}}])", clock);
  ChatResult r1 = model->Complete(Ask("q"));
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(r1.error().http_status, 429);
  EXPECT_DOUBLE_EQ(*r1.error().retry_after_s, 2.0);
  EXPECT_EQ(model->Complete(Ask("q")).error().kind, ModelErrorKind::kQuotaExhausted);
  EXPECT_EQ(model->Complete(Ask("q")).error().kind, ModelErrorKind::kContextLengthExceeded);
  EXPECT_EQ(model->Complete(Ask("q")).error().kind, ModelErrorKind::kOverloaded);
  EXPECT_EQ(model->Complete(Ask("q")).error().kind, ModelErrorKind::kAuth);
  EXPECT_EQ(clock.Now(), TimePoint{});  // errors cost no simulated time
}

TEST(ScriptedModel, TimeoutAdvancesTheClockByTheRequestTimeout) {
  ManualClock clock;
  ScriptedModelOptions options = CountingOptions();
  options.request_timeout = Seconds(60);
  auto model = Make(R"([{"timeout": true}])", clock, options);
  ChatResult r = model->Complete(Ask("q"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kTimeout);
  EXPECT_EQ(clock.Now() - TimePoint{}, Seconds(60));
}

TEST(ScriptedModel, TimeoutStopsAtTheRequestDeadline) {
  ManualClock clock;
  auto model = Make(R"([{"timeout": true}])", clock);
  ChatRequest req = Ask("q");
  req.deadline = clock.Now() + Seconds(5);
  EXPECT_EQ(model->Complete(req).error().kind, ModelErrorKind::kTimeout);
  EXPECT_EQ(clock.Now() - TimePoint{}, Seconds(5));
}

TEST(ScriptedModel, ExhaustedScriptIsARecognizableFault) {
  ManualClock clock;
  auto model = Make("[]", clock);
  ChatResult r = model->Complete(Ask("q"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kUnavailable);
  EXPECT_EQ(r.error().code, "script_exhausted");
  EXPECT_EQ(r.error().message, "script exhausted for model gpt-4.1");
  EXPECT_TRUE(IsScriptFault(r.error()));
  EXPECT_FALSE(r.error().retryable());
}

TEST(ScriptedModel, CompletionTokensAboveMaxTokensFailTheScript) {
  ManualClock clock;
  auto model = Make(R"([{"content": "x", "usage": {"prompt_tokens": 5, "completion_tokens": 200}}])", clock);
  ChatRequest req = Ask("q");
  req.max_tokens = 100;
  ChatResult r = model->Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "usage_exceeds_max_tokens");
  EXPECT_NE(r.error().message.find("usage exceeds max_tokens"), std::string::npos);
  EXPECT_TRUE(IsScriptFault(r.error()));
}

TEST(ScriptedModel, RecordsTheRequestsItReceived) {
  ManualClock clock;
  auto model = Make(R"([{"content": "a"}, {"content": "b"}])", clock);
  ChatRequest req = Ask("hello");
  req.max_tokens = 321;
  req.stop = {"Observation:"};
  req.tools.push_back({"calculator", "Evaluates arithmetic", json::object()});
  ASSERT_TRUE(model->Complete(req).ok());
  ASSERT_TRUE(model->Complete(Ask("again")).ok());
  auto seen = model->requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].max_tokens, 321);
  EXPECT_EQ(seen[0].stop, std::vector<std::string>{"Observation:"});
  EXPECT_EQ(seen[0].tools[0].name, "calculator");
  EXPECT_EQ(seen[1].messages[0].content, "again");
}

TEST(ScriptedModel, CancelledRequestConsumesNothing) {
  ManualClock clock;
  auto model = Make(R"([{"content": "a"}])", clock);
  CancellationSource source;
  source.Cancel();
  ChatRequest req = Ask("q");
  req.cancel = source.token();
  EXPECT_EQ(model->Complete(req).error().kind, ModelErrorKind::kCancelled);
  EXPECT_EQ(model->remaining(), 1u);
}

TEST(ScriptedModel, StreamDeliversPiecesThatAddUpToTheReply) {
  ManualClock clock;
  auto model = Make(R"([{"content": "Thought: I know it.\nFinal Answer: 391",
                         "tool_calls": [{"name": "calculator", "arguments": {"e": "1+1"}}]}])", clock);
  std::string text, args;
  int deltas = 0;
  ChatResult r = model->Stream(Ask("q"), [&](const ChatDelta& d) {
    ++deltas;
    text += d.content;
    args += d.tool_arguments;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(text, r->content);
  EXPECT_EQ(args, R"({"e":"1+1"})");
  EXPECT_GT(deltas, 2);
}

TEST(ScriptedModel, MalformedScriptsNameThePath) {
  ManualClock clock;
  auto bad_key = ScriptedModel::Create("m", json::parse(R"([{"content": "a"}, {"contnet": "b"}])"), clock);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.status().message(),
            "models.m[1].contnet: unknown key (expected content, tool_calls, error, timeout, usage)");
  auto bad_type = ScriptedModel::Create("m", json::parse(R"([{"error": {"status": "429"}}])"), clock);
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("models.m[0].error.status"), std::string::npos);
  auto not_array = ScriptedModel::Create("m", json::parse(R"({"content": "a"})"), clock);
  EXPECT_FALSE(not_array.ok());
  auto two_shapes = ScriptedModel::Create("m", json::parse(R"([{"timeout": true, "error": {"status": 500}}])"), clock);
  EXPECT_FALSE(two_shapes.ok());
}

}  // namespace
}  // namespace reagent
