// The agent against a model that misbehaves on purpose: more tool calls than a step may run,
// a reply that leaks the API key, a deadline that passes during a call.
#include <fmt/format.h>

#include <gtest/gtest.h>

#include "agent_test_harness.h"
#include "reagent/core/logging.h"

namespace reagent {
namespace {

using nlohmann::json;
using testing::AgentHarness;
using Kind = AgentEvent::Kind;

constexpr const char* kKey = "agent-hostile-key-5e1b07";

const json kEcho = json::parse(R"({"description": "Echo",
  "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
  "returns": ["1", "2", "3", "4", "5"]})");

TEST(AgentHostile, AReplyWithMoreToolCallsThanTheLimitRunsOnlyTheFirstOnes) {
  AgentHarness h;
  json calls = json::array();
  for (int i = 0; i < 40; ++i) calls.push_back({{"name", "echo"}, {"arguments", {{"q", "x"}}}});
  h.AddModel("gpt-4.1", json::array({{{"tool_calls", calls}}, {{"content", "done"}}}));
  h.AddScriptedTool("echo", kEcho);
  h.Build({.mode = AgentOptions::Mode::kTools, .max_tool_calls_per_step = 5});
  TurnResult r = h.Run("go");
  EXPECT_EQ(r.stop_reason, StopReason::kFinalAnswer);
  EXPECT_EQ(r.tool_calls.size(), 5u);
  ASSERT_FALSE(r.observations.empty());
  EXPECT_NE(r.observations.back().find("asked for 40 tool calls; only the first 5 were run"),
            std::string::npos)
      << r.observations.back();
  // The stored assistant message names only the calls that ran, each with its result.
  Session s = h.Stored();
  size_t tool_messages = 0;
  for (const Message& m : s.messages) {
    if (m.role == Role::kAssistant && !m.tool_calls.empty()) {
      EXPECT_EQ(m.tool_calls.size(), 5u);
    }
    tool_messages += m.role == Role::kTool;
  }
  EXPECT_EQ(tool_messages, 5u);
}

TEST(AgentHostile, AKeyInTheReplyIsRedactedEverywhereByDefault) {
  RegisterSecret(kKey);
  AgentHarness h;
  h.AddModel("gpt-4.1", json::array({{{"content", fmt::format("Final Answer: the key is {}", kKey)}}}));
  h.Build();
  TurnResult r = h.Run("What is the key?");
  EXPECT_EQ(r.stop_reason, StopReason::kFinalAnswer);
  EXPECT_EQ(r.final_answer, "the key is [REDACTED]");
  for (const Message& m : h.Stored().messages) EXPECT_EQ(m.content.find(kKey), std::string::npos);
  ASSERT_NE(h.observer.First(Kind::kSanitizerFinding), nullptr);
  EXPECT_EQ(h.observer.First(Kind::kSanitizerFinding)->source, "model");
}

TEST(AgentHostile, AnUpperCasedKeyInAStreamedReplyNeverReachesTheObserver) {
  RegisterSecret(kKey);
  AgentHarness h;
  std::string upper = kKey;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  h.AddModel("gpt-4.1", json::array({{{"content", "Final Answer: it is " + upper + " ok"}}}));
  h.Build({.stream = true});
  TurnResult r = h.Run("key?");
  std::string streamed;
  for (const auto& e : h.observer.events) {
    if (e.kind == Kind::kTokenDelta) streamed += e.text;
  }
  EXPECT_EQ(streamed.find(upper), std::string::npos) << streamed;
  EXPECT_NE(streamed.find("[REDACTED]"), std::string::npos) << streamed;
  EXPECT_EQ(r.final_answer, "it is [REDACTED] ok");
}

TEST(AgentHostile, WithTheBlockPolicyAReplyWithAKeyEndsTheTurnBlocked) {
  RegisterSecret(kKey);
  AgentHarness h;
  h.AddModel("gpt-4.1", json::array({{{"content", fmt::format("Final Answer: {}", kKey)}}}));
  h.Build({.on_secret = AgentOptions::SecretPolicy::kBlock});
  TurnResult r = h.Run("key?");
  EXPECT_EQ(r.stop_reason, StopReason::kBlocked);
  EXPECT_EQ(r.final_answer, "");
  EXPECT_NE(r.stop_detail.find("secret"), std::string::npos);
  for (const Message& m : h.Stored().messages) EXPECT_EQ(m.content.find(kKey), std::string::npos);
}

TEST(AgentHostile, AToolCallCarryingTheKeyGetsItRedacted) {
  RegisterSecret(kKey);
  AgentHarness h;
  h.AddModel("gpt-4.1", json::array({{{"tool_calls", {{{"name", "echo"}, {"arguments", {{"q", kKey}}}}}}},
                                     {{"content", "done"}}}));
  h.AddScriptedTool("echo", kEcho);
  h.Build({.mode = AgentOptions::Mode::kTools});
  TurnResult r = h.Run("go");
  ASSERT_FALSE(r.trace.empty());
  ASSERT_FALSE(r.trace[0].tool_calls.empty());
  EXPECT_EQ(r.trace[0].tool_calls[0].arguments.find(kKey), std::string::npos);
}

TEST(AgentHostile, ATimeoutAtTheDeadlineEndsTheTurnAsDeadlineAfterAnAnsweredStep) {
  AgentHarness h;
  h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Thought: compute\nAction: echo\nAction Input: {\"q\": \"a\"}"},
    {"timeout": true}
  ])"));
  h.AddScriptedTool("echo", kEcho);
  h.Build({.budget = {.deadline = Seconds(30)}}, {.retry = {.max_attempts = 3}});
  TurnResult r = h.Run("go");
  EXPECT_EQ(r.steps, 1);
  EXPECT_EQ(r.stop_reason, StopReason::kDeadline) << r.stop_detail;
}

}  // namespace
}  // namespace reagent
