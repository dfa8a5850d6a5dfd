#include "reagent/mockllm/mock_brain.h"

#include <gtest/gtest.h>

namespace reagent::mockllm {
namespace {

using nlohmann::json;

json Request(json messages, json tools = nullptr) {
  json body = {{"model", "mock-gpt"}, {"messages", std::move(messages)}};
  if (!tools.is_null()) body["tools"] = std::move(tools);
  return body;
}

json CalculatorTool(const char* arg = "expression") {
  return json::array({{{"type", "function"},
                       {"function", {{"name", "calculator"},
                                     {"parameters", {{"type", "object"},
                                                     {"properties", {{arg, {{"type", "string"}}}}}}}}}}});
}

TEST(MockBrain, FindsAndEvaluatesArithmetic) {
  EXPECT_EQ(FindArithmetic("What is 17*23?"), "17*23");
  EXPECT_EQ(FindArithmetic("compute (2 + 3) * 4 please"), "(2 + 3) * 4");
  EXPECT_EQ(FindArithmetic("in 2024 we had 3 cats"), std::nullopt);
  EXPECT_DOUBLE_EQ(*EvaluateArithmetic("17*23"), 391);
  EXPECT_DOUBLE_EQ(*EvaluateArithmetic("(2 + 3) * 4 - 2^3"), 12);
  EXPECT_DOUBLE_EQ(*EvaluateArithmetic("-4 / 8"), -0.5);
  EXPECT_FALSE(EvaluateArithmetic("1/0"));
  EXPECT_FALSE(EvaluateArithmetic("2*(3"));
  EXPECT_EQ(FormatNumber(391), "391");
  EXPECT_EQ(FormatNumber(2.5), "2.5");
}

TEST(MockBrain, ReActAsksForTheCalculatorFirst) {
  BrainReply r = Think(Request({{{"role", "system"}, {"content", "Tools: calculator(expression)"}},
                                {{"role", "user"}, {"content", "What is 17*23?"}}}));
  EXPECT_EQ(r.content, "Thought: I need to compute 17*23.\nAction: calculator\nAction Input: 17*23");
  EXPECT_TRUE(r.tool_calls.empty());
}

TEST(MockBrain, ReActAnswersFromTheObservation) {
  BrainReply r = Think(Request({{{"role", "system"}, {"content", "Tools: calculator"}},
                                {{"role", "user"}, {"content", "What is 17*23?"}},
                                {{"role", "assistant"}, {"content", "Action: calculator\nAction Input: 17*23"}},
                                {{"role", "user"}, {"content", "Observation: <<tool_output id=9f3>>391<</tool_output>>"}}}));
  EXPECT_EQ(r.content, "Thought: I now know the final answer.\nFinal Answer: 391");
}

TEST(MockBrain, NativeModeCallsTheCalculatorWithItsSchemasArgument) {
  BrainReply r = Think(Request({{{"role", "user"}, {"content", "What is 6*7?"}}}, CalculatorTool("expr")));
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0].name, "calculator");
  EXPECT_EQ(r.tool_calls[0].arguments, R"({"expr":"6*7"})");
}

TEST(MockBrain, NativeModeAnswersFromTheToolResult) {
  json assistant = {{"role", "assistant"}, {"content", nullptr},
                    {"tool_calls", json::array({{{"id", "call_1"}, {"type", "function"},
                                                 {"function", {{"name", "calculator"}, {"arguments", "{}"}}}}})}};
  BrainReply r = Think(Request({{{"role", "user"}, {"content", "What is 6*7?"}}, assistant,
                                {{"role", "tool"}, {"tool_call_id", "call_1"}, {"content", "42"}}},
                               CalculatorTool()));
  EXPECT_EQ(r.content, "42");
  EXPECT_TRUE(r.tool_calls.empty());
}

TEST(MockBrain, WithoutACalculatorItComputesItself) {
  BrainReply r = Think(Request({{{"role", "user"}, {"content", "What is 2+2?"}}}));
  EXPECT_EQ(r.content, "Thought: I now know the final answer.\nFinal Answer: 4");
}

TEST(MockBrain, OtherQuestionsGetAClearlyMockAnswer) {
  BrainReply r = Think(Request({{{"role", "user"}, {"content", "Hello there"}}}));
  EXPECT_EQ(r.content,
            "Thought: I now know the final answer.\nFinal Answer: This is mock-llm, a deterministic test "
            "model. You asked: \"Hello there\"");
}

}  // namespace
}  // namespace reagent::mockllm
