#include "reagent/testing/expectations.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

TurnOutcome Answered() {
  TurnOutcome t;
  t.final_answer = "The answer is 391.";
  t.stop_reason = "final_answer";
  t.tool_calls = {"calculator"};
  t.steps = 2;
  t.retries = 1;
  t.model_used = "gpt-4.1";
  t.observations = {"391"};
  t.cost_usd = 0.002;
  t.tokens = 300;
  return t;
}

TEST(ExpectationsTest, AllMetMeansNoFailures) {
  ScenarioExpect e;
  e.final_answer_contains = "391";
  e.stop_reason = "final_answer";
  e.tool_calls = std::vector<std::string>{"calculator"};
  e.steps_at_most = 2;
  e.retries = 1;
  e.fallbacks = 0;
  e.model_used = "gpt-4.1";
  e.observations_contain = {"39"};
  e.cost_at_most_usd = 0.002;
  e.tokens_at_most = 300;
  e.blocked = false;
  EXPECT_TRUE(CheckExpectations(e, Answered()).empty());
}

TEST(ExpectationsTest, EachUnmetExpectationIsReportedWithBothValues) {
  ScenarioExpect e;
  e.final_answer = "391";
  e.stop_reason = "max_steps";
  e.steps_at_most = 1;
  e.retries = 0;
  e.cost_at_most_usd = 0.001;
  e.observations_contain = {"nowhere"};
  auto f = CheckExpectations(e, Answered());
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0], R"(final_answer: expected "391", got "The answer is 391.")");
  EXPECT_EQ(f[1], "stop_reason: expected max_steps, got final_answer");
  EXPECT_EQ(f[2], "steps_at_most: expected at most 1, got 2");
  EXPECT_EQ(f[3], "retries: expected 0, got 1");
  EXPECT_NE(f[4].find("observations_contain"), std::string::npos);
  EXPECT_EQ(f[5], "cost_at_most_usd: expected at most $0.001000, got $0.002000");
}

TEST(ExpectationsTest, UnknownCostFailsACostExpectation) {
  ScenarioExpect e;
  e.cost_at_most_usd = 1.0;
  TurnOutcome t = Answered();
  t.cost_usd.reset();
  auto f = CheckExpectations(e, t);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].find("unpriced"), std::string::npos);
}

}  // namespace
}  // namespace reagent
