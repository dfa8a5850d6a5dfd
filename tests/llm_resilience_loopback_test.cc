// The resilience stack over real HTTP: OpenAIChatModel clients talking to mock servers on
// 127.0.0.1 that inject real faults (429 with retry-after and x-ratelimit-* headers,
// insufficient_quota, outages, 5xx, garbage bodies). Server and clients share a ManualClock,
// so a 60 s Retry-After is waited out on the simulated clock — and the server's rate window
// moves with it — in no wall time.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "reagent/llm/openai_chat_model.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/mockllm/mock_llm_server.h"

namespace reagent {
namespace {

using mockllm::MockLlmOptions;
using mockllm::MockLlmServer;

struct Loopback : ::testing::Test {
  ManualClock clock;
  SeededRandom random{42};
  std::vector<std::unique_ptr<MockLlmServer>> servers;

  // Starts a mock server with `options` (on the test's clock) and returns a client for it.
  std::shared_ptr<ChatModel> Provider(const std::string& model, MockLlmOptions options) {
    options.clock = &clock;
    servers.push_back(std::make_unique<MockLlmServer>(options));
    Status started = servers.back()->Start();
    EXPECT_TRUE(started.ok()) << started;
    auto client = OpenAIChatModel::Create({.model = model,
                                           .base_url = servers.back()->base_url(),
                                           .api_key_env = "REAGENT_TEST_NO_KEY",
                                           .clock = &clock});
    EXPECT_TRUE(client.ok()) << client.status();
    return std::shared_ptr<ChatModel>(std::move(*client));
  }
  mockllm::MockLlmCounters Counters(size_t i) const { return servers[i]->counters(); }

  static ChatRequest Ask(std::string text = "Summarise the report in one line.") {
    ChatRequest r;
    r.messages.push_back(Message::User(std::move(text)));
    r.max_tokens = 64;
    return r;
  }
};

TEST_F(Loopback, RateLimit429IsWaitedOutPerRetryAfterAndThenServed) {
  auto gpt = Provider("gpt-4.1", {.rpm = 2});
  auto chain = MakeResilientModel({{.model = gpt}}, {.use_limiters = false}, clock, random);
  ASSERT_TRUE(chain.ok());
  ASSERT_TRUE((*chain)->Complete(Ask()).ok());
  ASSERT_TRUE((*chain)->Complete(Ask()).ok());
  std::vector<ModelEvent> events;
  ChatRequest third = Ask();
  third.on_event = [&](const ModelEvent& e) { events.push_back(e); };
  ChatResult r = (*chain)->Complete(third);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(Counters(0).rate_limited, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ModelEvent::Kind::kRetry);
  EXPECT_EQ(events[0].reason, "rate_limited (429)");
  // The server's retry-after-ms (the window's reset, 60 s) was waited on the shared clock.
  EXPECT_EQ(events[0].wait, Seconds(60));
  EXPECT_EQ(clock.slept(), Seconds(60));
}

TEST_F(Loopback, ClientLimiterKeepsCallsUnderTheServersLimit) {
  auto gpt = Provider("gpt-4.1", {.rpm = 3});
  auto chain = MakeResilientModel(
      {{.model = gpt, .limits = RateLimiterOptions{.requests_per_period = 3,
                                                   .target_utilization = 1.0,
                                                   .burst_fraction = 0.0}}},
      {}, clock, random);
  ASSERT_TRUE(chain.ok());
  int limiter_waits = 0;
  for (int i = 0; i < 7; ++i) {
    ChatRequest req = Ask();
    req.on_event = [&](const ModelEvent& e) { limiter_waits += e.kind == ModelEvent::Kind::kLimiterWait; };
    ChatResult r = (*chain)->Complete(req);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->attempts, 1);
  }
  EXPECT_EQ(Counters(0).rate_limited, 0);  // paced, never refused
  EXPECT_EQ(limiter_waits, 6);
  EXPECT_EQ(clock.slept(), Seconds(6 * 20));
}

TEST_F(Loopback, LimiterLearnsTheLimitFromHeadersAndAvoidsThe429) {
  auto gpt = Provider("gpt-4.1", {.rpm = 2});
  auto chain = MakeResilientModel({{.model = gpt}}, {}, clock, random);  // no limits given
  ASSERT_TRUE(chain.ok());
  for (int i = 0; i < 5; ++i) {
    ChatResult r = (*chain)->Complete(Ask());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }
  EXPECT_EQ(Counters(0).rate_limited, 0);
  EXPECT_EQ(Counters(0).requests, 5);
}

TEST_F(Loopback, QuotaExhaustedIsNotRetriedAndFallsBackToTheNextProvider) {
  auto openai = Provider("gpt-4.1", {.quota_exhausted = true});
  auto deepseek = Provider("deepseek-chat", {});
  auto chain = MakeResilientModel({{.model = openai}, {.model = deepseek}}, {}, clock, random);
  ASSERT_TRUE(chain.ok());
  std::vector<ModelEvent> events;
  ChatRequest req = Ask();
  req.on_event = [&](const ModelEvent& e) { events.push_back(e); };
  ChatResult r = (*chain)->Complete(req);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->model, "deepseek-chat");
  EXPECT_EQ(r->fallbacks, 1);
  EXPECT_EQ(Counters(0).requests, 1);
  EXPECT_EQ(Counters(0).quota_exhausted, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, ModelEvent::Kind::kFallback);
  EXPECT_EQ(events[0].to_model, "deepseek-chat");
  EXPECT_EQ(events[0].reason.rfind("quota_exhausted (429)", 0), 0u) << events[0].reason;
  EXPECT_EQ(clock.slept(), Duration::zero());
}

TEST_F(Loopback, OutageOpensTheBreakerAndTheFallbackServesEveryCall) {
  auto primary = Provider("gpt-4.1", {.outage = std::pair{0.0, 1e6}});
  auto backup = Provider("gpt-4.1-mini", {});
  auto chain = MakeResilientModel({{.model = primary}, {.model = backup}}, {}, clock, random);
  ASSERT_TRUE(chain.ok());
  for (int i = 0; i < 8; ++i) {
    ChatResult r = (*chain)->Complete(Ask());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->model, "gpt-4.1-mini");
  }
  // Five calls of three attempts opened the breaker; the last three never reached the primary.
  EXPECT_EQ(Counters(0).outage, 15);
  EXPECT_EQ(Counters(1).ok, 8);
  EXPECT_EQ((*chain)->entries()[0].breaker->state(), BreakerState::kOpen);
}

TEST_F(Loopback, InjectedServerErrorsAreRetriedUntilServed) {
  auto gpt = Provider("gpt-4.1", {.fail_rate = 0.3, .seed = 7});
  auto chain = MakeResilientModel({{.model = gpt}},
                                  {.retry = {.max_attempts = 8, .budget_ratio = 1.0}}, clock,
                                  random);
  ASSERT_TRUE(chain.ok());
  int attempts = 0;
  for (int i = 0; i < 20; ++i) {
    ChatResult r = (*chain)->Complete(Ask());
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    attempts += r->attempts;
  }
  const auto c = Counters(0);
  EXPECT_GT(c.injected_failures, 0);
  EXPECT_EQ(c.ok, 20);
  EXPECT_EQ(attempts, c.requests);  // attempts reported = requests the server saw
}

TEST_F(Loopback, GarbageRepliesExhaustRetriesThenFallBack) {
  auto primary = Provider("gpt-4.1", {.garbage_rate = 1.0});
  auto backup = Provider("gpt-4.1-mini", {});
  auto chain = MakeResilientModel({{.model = primary}, {.model = backup}}, {}, clock, random);
  ASSERT_TRUE(chain.ok());
  ChatResult r = (*chain)->Complete(Ask());
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->model, "gpt-4.1-mini");
  EXPECT_EQ(Counters(0).garbage, 3);
}

TEST_F(Loopback, StreamingFallbackKeepsTheToolsOverHttp) {
  auto primary = Provider("gpt-4.1", {.outage = std::pair{0.0, 1e6}});
  auto backup = Provider("gpt-4.1-mini", {});
  auto chain = MakeResilientModel({{.model = primary}, {.model = backup}},
                                  {.retry = {.max_attempts = 1}}, clock, random);
  ASSERT_TRUE(chain.ok());
  ChatRequest req = Ask("What is 17*23?");
  req.tools.push_back(ToolSpec{
      .name = "calculator",
      .description = "Evaluates an arithmetic expression",
      .parameters = {{"type", "object"},
                     {"properties", {{"expression", {{"type", "string"}}}}},
                     {"required", {"expression"}}}});
  std::string streamed_tool;
  ChatResult r = (*chain)->Stream(req, [&](const ChatDelta& d) { streamed_tool += d.tool_name; });
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->model, "gpt-4.1-mini");
  EXPECT_EQ(r->fallbacks, 1);
  ASSERT_EQ(r->tool_calls.size(), 1u);
  EXPECT_EQ(r->tool_calls[0].name, "calculator");
  EXPECT_EQ(streamed_tool, "calculator");
  EXPECT_EQ(Counters(1).streamed, 1);
}

}  // namespace
}  // namespace reagent
