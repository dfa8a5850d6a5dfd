#include "reagent/testing/scenario.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

Json Minimal() {
  return Json::parse(R"({
    "name": "adds",
    "agent": {"mode": "react", "max_steps": 5, "models": ["gpt-4.1", "gpt-4.1-mini"],
              "budget": {"max_tokens": 4000, "max_cost_usd": 0.05, "deadline_s": 120},
              "retry": {"max_attempts": 3}, "breaker": {"failure_threshold": 5, "open_s": 60},
              "tools": ["calculator"]},
    "tools": {"search": {"description": "Search", "parameters": {"type": "object"},
                         "returns": ["out", {"error": "timeout"}]}},
    "models": {"gpt-4.1": [
        {"error": {"status": 429, "retry_after": 2}},
        {"content": "Thought: x\nFinal Answer: 391", "usage": {"prompt_tokens": 1, "completion_tokens": 2}},
        {"tool_calls": [{"name": "search", "arguments": {"q": "x"}}]},
        {"timeout": true}]},
    "turns": [{"user": "What is 17*23?", "expect": {"final_answer": "391", "stop_reason": "final_answer",
               "tool_calls": ["calculator"], "steps_at_most": 3, "retries": 1, "fallbacks": 0,
               "model_used": "gpt-4.1", "observations_contain": ["391"], "cost_at_most_usd": 0.01,
               "tokens_at_most": 4000, "blocked": false}}]
  })");
}

TEST(ScenarioParseTest, ReadsEveryDocumentedField) {
  auto s = ParseScenario(Minimal(), "a.json");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->name, "adds");
  EXPECT_EQ(s->agent.models, (std::vector<std::string>{"gpt-4.1", "gpt-4.1-mini"}));
  EXPECT_EQ(*s->agent.budget.max_tokens, 4000);
  EXPECT_EQ(s->agent.retry["max_attempts"], 3);
  EXPECT_EQ(s->tools.at("search").returns.size(), 2u);
  EXPECT_EQ(s->models.at("gpt-4.1").size(), 4u);
  EXPECT_TRUE(s->models.at("gpt-4.1-mini").empty());  // listed in agent.models, no script
  ASSERT_EQ(s->turns.size(), 1u);
  EXPECT_EQ(*s->turns[0].expect.retries, 1);
  EXPECT_EQ(*s->turns[0].expect.blocked, false);
  EXPECT_EQ(s->agent.request_timeout_s, 60);
  EXPECT_EQ(s->agent.max_output_tokens, 1024);
  EXPECT_EQ(s->agent.min_output_tokens, 32);
}

TEST(ScenarioParseTest, UnknownKeyIsNamedByFileAndPath) {
  Json j = Minimal();
  j["agent"]["budget"]["max_tokenz"] = 5;
  auto s = ParseScenario(j, "dir/x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("dir/x.json"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("agent.budget.max_tokenz: unknown key"), std::string::npos)
      << s.status();
}

TEST(ScenarioParseTest, WrongTypesAreNamedWithTheExpectation) {
  Json j = Minimal();
  j["agent"]["max_steps"] = "five";
  j["models"]["gpt-4.1"][0]["error"]["status"] = "429";
  auto s = ParseScenario(j, "x.json");
  ASSERT_FALSE(s.ok());
  std::string m = s.status().message();
  EXPECT_NE(m.find("agent.max_steps: expected integer, got string"), std::string::npos) << m;
  EXPECT_NE(m.find("models.gpt-4.1[0].error.status: expected integer, got string"),
            std::string::npos) << m;
}

TEST(ScenarioParseTest, AReplyNeedsExactlyOneKind) {
  Json j = Minimal();
  j["models"]["gpt-4.1"][1]["timeout"] = true;
  auto s = ParseScenario(j, "x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("models.gpt-4.1[1]: a reply needs exactly one of"),
            std::string::npos) << s.status();
}

TEST(ScenarioParseTest, UnknownStopReasonAndMissingTurnsAreErrors) {
  Json j = Minimal();
  j["turns"][0]["expect"]["stop_reason"] = "done";
  auto s = ParseScenario(j, "x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("unknown stop reason \"done\""), std::string::npos);
  j = Minimal();
  j.erase("turns");
  s = ParseScenario(j, "x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("turns: required key is missing"), std::string::npos);
}

TEST(ScenarioParseTest, AScriptForAModelTheAgentDoesNotNameIsAnError) {
  Json j = Minimal();
  j["models"]["gpt-4o"] = Json::parse(R"([{"content": "Final Answer: never used"}])");
  auto s = ParseScenario(j, "dir/typo.json");
  ASSERT_FALSE(s.ok());
  const std::string m = s.status().message();
  EXPECT_NE(m.find("dir/typo.json"), std::string::npos) << m;
  EXPECT_NE(m.find("models.gpt-4o: scripts a model that agent.models does not name "
                   "(agent.models: [\"gpt-4.1\", \"gpt-4.1-mini\"])"),
            std::string::npos)
      << m;
}

TEST(ScenarioParseTest, NotAnObjectIsAnError) {
  auto s = ParseScenario(Json::array(), "x.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("expected object, got array"), std::string::npos);
}

TEST(ScenarioParseTest, MissingFileNamesThePath) {
  auto s = LoadScenarioFile("/nonexistent/s.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("/nonexistent/s.json"), std::string::npos);
}

}  // namespace
}  // namespace reagent
