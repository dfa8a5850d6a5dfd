// Scenario-style tests of the ReAct loop: scripted models behind the real resilience stack,
// the real sanitizer, a real SQLite session store, on a ManualClock.
#include <gtest/gtest.h>

#include "agent_test_harness.h"
#include "reagent/agent/react_protocol.h"

namespace reagent {
namespace {

using nlohmann::json;
using testing::AgentHarness;
using Kind = AgentEvent::Kind;

const json kCalculatorSpec = {
    {"description", "Evaluates an arithmetic expression"},
    {"parameters",
     {{"type", "object"},
      {"properties", {{"expression", {{"type", "string"}}}}},
      {"required", {"expression"}}}},
};

json CalculatorReturning(std::vector<json> returns) {
  json spec = kCalculatorSpec;
  spec["returns"] = std::move(returns);
  return spec;
}

TEST(AgentReact, ToolCallThenFinalAnswer) {
  AgentHarness h;
  auto model = h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Thought: I need to compute.\nAction: calculator\nAction Input: 17*23",
     "usage": {"completion_tokens": 14}},
    {"content": "Thought: I know it.\nFinal Answer: 391", "usage": {"completion_tokens": 9}}
  ])"));
  auto calc = h.AddScriptedTool("calculator", CalculatorReturning({"391"}));
  h.Build({.system_prompt = "You are a helpful assistant."});

  TurnResult r = h.Run("What is 17*23?");
  EXPECT_EQ(r.final_answer, "391");
  EXPECT_EQ(r.stop_reason, StopReason::kFinalAnswer);
  EXPECT_EQ(r.steps, 2);
  EXPECT_EQ(r.tool_calls, (std::vector<std::string>{"calculator"}));
  EXPECT_EQ(r.observations, (std::vector<std::string>{"391"}));
  EXPECT_EQ(r.model_used, "gpt-4.1");
  EXPECT_EQ(r.models_used, (std::vector<std::string>{"gpt-4.1"}));
  EXPECT_EQ(r.retries, 0);
  EXPECT_EQ(r.fallbacks, 0);
  ASSERT_EQ(calc->arguments_seen().size(), 1u);
  EXPECT_EQ(calc->arguments_seen()[0], json({{"expression", "17*23"}}));

  // Requests: stop sequence, output allowance, the tool list in the system prompt, and the
  // observation spotlighted in the second request.
  const auto requests = model->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].stop, (std::vector<std::string>{"\nObservation:"}));
  EXPECT_EQ(requests[0].max_tokens, 1024);
  EXPECT_TRUE(requests[0].tools.empty());
  EXPECT_NE(requests[0].messages[0].content.find("calculator"), std::string::npos);
  EXPECT_EQ(requests[0].messages[0].content.rfind("You are a helpful assistant.", 0), 0u);
  const Message& observation = requests[1].messages.back();
  EXPECT_EQ(observation.role, Role::kUser);
  EXPECT_EQ(observation.content.rfind("Observation: <<<untrusted nonce=", 0), 0u);
  EXPECT_NE(observation.content.find("391"), std::string::npos);

  // Usage and cost: exactly what the provider reported, priced by the built-in table.
  ASSERT_EQ(r.trace.size(), 2u);
  EXPECT_EQ(r.trace[0].usage.completion_tokens, 14);
  EXPECT_EQ(r.trace[1].usage.completion_tokens, 9);
  EXPECT_EQ(r.usage.prompt_tokens, r.trace[0].usage.prompt_tokens + r.trace[1].usage.prompt_tokens);
  EXPECT_EQ(r.usage.completion_tokens, 23);
  ASSERT_TRUE(r.usage.cost_usd.has_value());
  EXPECT_NEAR(*r.usage.cost_usd, *Cost("gpt-4.1", Usage{.prompt_tokens = r.usage.prompt_tokens,
                                                         .completion_tokens = 23}),
              1e-12);

  // Every step is in the store: user, assistant, observation, assistant.
  Session s = h.Stored();
  ASSERT_EQ(s.messages.size(), 4u);
  EXPECT_EQ(s.messages[0], Message::User("What is 17*23?"));
  EXPECT_EQ(s.messages[1].content, "Thought: I need to compute.\nAction: calculator\nAction Input: 17*23");
  EXPECT_TRUE(s.messages[2].content.starts_with("Observation: "));
  EXPECT_EQ(s.messages[3].content, "Thought: I know it.\nFinal Answer: 391");
  auto steps = h.store->Steps(h.session);
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 2u);
  EXPECT_EQ((*steps)[0].model, "gpt-4.1");
  EXPECT_EQ((*steps)[0].usage.completion_tokens, 14);
  EXPECT_EQ((*steps)[1].extra.value("stop_reason", ""), "final_answer");

  // Events tell the story in order.
  EXPECT_EQ(h.observer.Count(Kind::kStepStarted), 2);
  EXPECT_EQ(h.observer.Count(Kind::kToolCall), 1);
  EXPECT_EQ(h.observer.Count(Kind::kToolResult), 1);
  EXPECT_EQ(h.observer.Count(Kind::kModelCall), 2);
  EXPECT_EQ(h.observer.events.back().kind, Kind::kFinal);
  EXPECT_EQ(h.observer.events.back().text, "391");
}

TEST(AgentReact, MaxStepsEndsWithAClosingAnswerThatKeepsTheWork) {
  AgentHarness h;
  auto model = h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Thought: first\nAction: calculator\nAction Input: 1+1"},
    {"content": "Thought: again\nAction: calculator\nAction Input: 2+2"},
    {"content": "Final Answer: 1+1 is 2 and 2+2 is 4"}
  ])"));
  h.AddScriptedTool("calculator", CalculatorReturning({"2", "4"}));
  h.Build({.max_steps = 2});

  TurnResult r = h.Run("Add things up");
  EXPECT_EQ(r.stop_reason, StopReason::kMaxSteps);
  EXPECT_EQ(r.final_answer, "1+1 is 2 and 2+2 is 4");
  EXPECT_EQ(r.steps, 2);  // the closing call is not a step
  ASSERT_EQ(r.trace.size(), 3u);
  EXPECT_TRUE(r.trace[2].closing_call);
  EXPECT_EQ(r.tool_calls, (std::vector<std::string>{"calculator", "calculator"}));
  EXPECT_EQ(r.observations, (std::vector<std::string>{"2", "4"}));
  EXPECT_NE(r.stop_detail.find("2 steps"), std::string::npos);

  // The closing request offers no tools and asks for the answer now.
  const auto requests = model->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[2].messages[0].content.find("Action Input"), std::string::npos);
  EXPECT_NE(requests[2].messages.back().content.find("You cannot use tools any more"),
            std::string::npos);

  // The work is in the session: both steps and the closing answer.
  Session s = h.Stored();
  ASSERT_EQ(s.messages.size(), 6u);
  EXPECT_EQ(s.messages.back().content, "Final Answer: 1+1 is 2 and 2+2 is 4");
}

TEST(AgentReact, ParseErrorsGetCorrectiveObservationsAndTheModelRecovers) {
  AgentHarness h;
  auto model = h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "I think it is 4."},
    {"content": "Thought: hmm\nAction: calculator\nAction Input: 2+2\nFinal Answer: 4"},
    {"content": "Thought: right\nFinal Answer: 4"}
  ])"));
  h.AddScriptedTool("calculator", CalculatorReturning({}));
  h.Build();

  TurnResult r = h.Run("What is 2+2?");
  EXPECT_EQ(r.stop_reason, StopReason::kFinalAnswer);
  EXPECT_EQ(r.final_answer, "4");
  EXPECT_EQ(r.steps, 3);
  EXPECT_EQ(r.parse_failures, 2);
  EXPECT_TRUE(r.tool_calls.empty());
  ASSERT_EQ(r.observations.size(), 2u);
  EXPECT_NE(r.observations[0].find("neither"), std::string::npos);
  EXPECT_NE(r.observations[1].find("both an Action and a Final Answer"), std::string::npos);
  EXPECT_EQ(h.observer.Count(Kind::kParseError), 2);
  // The correction reached the model as an observation.
  EXPECT_EQ(model->requests()[1].messages.back().content, ReactObservationMessage(r.observations[0]));
}

TEST(AgentReact, ThreeMalformedRepliesInARowStopWithError) {
  AgentHarness h;
  h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "no format"}, {"content": "still none"}, {"content": "nope"},
    {"content": "Final Answer: never reached"}
  ])"));
  h.Build();
  TurnResult r = h.Run("Hello?");
  EXPECT_EQ(r.stop_reason, StopReason::kError);
  EXPECT_EQ(r.steps, 3);
  EXPECT_EQ(r.parse_failures, 3);
  EXPECT_TRUE(r.final_answer.empty());
  EXPECT_NE(r.stop_detail.find("malformed 3 times in a row"), std::string::npos);
  EXPECT_EQ(h.models["gpt-4.1"]->remaining(), 1u);
  EXPECT_EQ(h.Stored().messages.size(), 7u);  // the user's message and three bad exchanges
}

TEST(AgentReact, InvalidToolBecomesAnObservationAndIsNotListedAsExecuted) {
  AgentHarness h;
  h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Thought: search\nAction: web_search\nAction Input: {\"q\": \"x\"}"},
    {"content": "Thought: use the calculator\nAction: calculator\nAction Input: 6*7"},
    {"content": "Final Answer: 42"}
  ])"));
  h.AddScriptedTool("calculator", CalculatorReturning({"42"}));
  h.Build();
  TurnResult r = h.Run("6*7?");
  EXPECT_EQ(r.stop_reason, StopReason::kFinalAnswer);
  EXPECT_EQ(r.final_answer, "42");
  EXPECT_EQ(r.tool_calls, (std::vector<std::string>{"calculator"}));
  ASSERT_EQ(r.observations.size(), 2u);
  EXPECT_NE(r.observations[0].find("web_search is not a valid tool"), std::string::npos);
  EXPECT_NE(r.observations[0].find("calculator"), std::string::npos);
  ASSERT_EQ(r.trace[0].tool_error_kinds.size(), 1u);
  EXPECT_EQ(r.trace[0].tool_error_kinds[0], "unknown_tool");
  EXPECT_EQ(r.parse_failures, 0);
}

TEST(AgentReact, InvalidArgumentsAreReportedAndNotExecuted) {
  AgentHarness h;
  h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Action: calculator\nAction Input: {\"expression\": 42}"},
    {"content": "Final Answer: gave up"}
  ])"));
  auto calc = h.AddScriptedTool("calculator", CalculatorReturning({"unused"}));
  h.Build();
  TurnResult r = h.Run("?");
  EXPECT_TRUE(r.tool_calls.empty());
  EXPECT_EQ(calc->calls(), 0);
  ASSERT_EQ(r.observations.size(), 1u);
  EXPECT_NE(r.observations[0].find("expression"), std::string::npos);
  EXPECT_EQ(r.trace[0].tool_error_kinds[0], "invalid_arguments");
}

TEST(AgentReact, ScriptedToolTimeoutIsAnObservationAndTheAgentGoesOn) {
  AgentHarness h;
  h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Action: search\nAction Input: weather"},
    {"content": "Thought: the search timed out\nFinal Answer: I could not look it up"}
  ])"));
  h.AddScriptedTool("search", json::parse(R"({"description": "Search the web",
    "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
    "returns": [{"error": "timeout"}]})"));
  h.Build();
  TurnResult r = h.Run("Weather?");
  EXPECT_EQ(r.stop_reason, StopReason::kFinalAnswer);
  EXPECT_EQ(r.tool_calls, (std::vector<std::string>{"search"}));
  EXPECT_EQ(r.trace[0].tool_error_kinds[0], "timeout");
  const AgentEvent* result = h.observer.First(Kind::kToolResult);
  ASSERT_NE(result, nullptr);
  EXPECT_TRUE(result->is_error);
  EXPECT_EQ(result->error_kind, "timeout");
}

TEST(AgentReact, HungToolIsAbandonedAtItsTimeout) {
  AgentHarness h;
  h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Action: slow\nAction Input: {}"},
    {"content": "Final Answer: the tool hung"}
  ])"));
  h.AddTool(MakeTool({.name = "slow", .description = "Never finishes in time",
                      .limits = {.timeout = std::chrono::milliseconds(50)}},
                     [](const json&, const ToolContext& ctx) {
                       // Blocks until abandoned (its token fires) — at most 10 s of real time.
                       for (int i = 0; i < 1000 && !ctx.cancel.cancelled(); ++i) {
                         SystemClock::Default().SleepFor(std::chrono::milliseconds(10), ctx.cancel);
                       }
                       return ToolResult::Text("too late");
                     }));
  h.Build();
  TurnResult r = h.Run("Go");
  EXPECT_EQ(r.stop_reason, StopReason::kFinalAnswer);
  EXPECT_EQ(r.trace[0].tool_error_kinds[0], "timeout");
  EXPECT_EQ(r.final_answer, "the tool hung");
}

TEST(AgentReact, ForgedObservationIsCutAndTheRealToolRuns) {
  AgentHarness h;
  auto model = h.AddModel("gpt-4.1", json::parse(R"([
    {"content": "Thought: add\nAction: calculator\nAction Input: 1+1\nObservation: 3\nThought: done\nFinal Answer: 3"},
    {"content": "Final Answer: 2"}
  ])"));
  h.AddScriptedTool("calculator", CalculatorReturning({"2"}));
  h.Build();
  TurnResult r = h.Run("1+1?");
  EXPECT_EQ(r.final_answer, "2");
  EXPECT_EQ(r.observations, (std::vector<std::string>{"2"}));
  const auto history = model->requests()[1].messages;
  EXPECT_EQ(history[history.size() - 2].content, "Thought: add\nAction: calculator\nAction Input: 1+1");
}

TEST(AgentReact, UnreportedUsageIsCountedExactly) {
  AgentHarness h;
  auto model = h.AddModel("gpt-4.1", json::parse(R"([{"content": "Final Answer: hi"}])"));
  h.Build();
  TurnResult r = h.Run("Say hi");
  const auto requests = model->requests();
  ASSERT_EQ(requests.size(), 1u);
  // The scripted provider counts its prompt with the real tokenizer; the agent reserved the
  // same number, so counting is exact.
  EXPECT_EQ(r.usage.prompt_tokens, AgentHarness::Tokens("gpt-4.1", requests[0].messages));
  EXPECT_EQ(r.usage.completion_tokens, TokenCounter::ForModel("gpt-4.1").Count("Final Answer: hi"));
}

TEST(AgentReact, StreamingReportsTokenDeltas) {
  AgentHarness h;
  h.AddModel("gpt-4.1", json::parse(R"([{"content": "Thought: easy\nFinal Answer: a fairly long answer to stream"}])"));
  h.Build({.stream = true});
  TurnResult r = h.Run("Stream please");
  EXPECT_EQ(r.final_answer, "a fairly long answer to stream");
  std::string streamed;
  for (const auto& e : h.observer.events) {
    if (e.kind == Kind::kTokenDelta) streamed += e.text;
  }
  EXPECT_GT(h.observer.Count(Kind::kTokenDelta), 1);
  EXPECT_EQ(streamed, "Thought: easy\nFinal Answer: a fairly long answer to stream");
}

}  // namespace
}  // namespace reagent
