// `reagent test` through the real binary: long scenarios and malformed ones.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "support/reagent_process.h"

namespace reagent::testing {
namespace {

class CliTestCommand : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = MakeTempDir("cli-test"); }
  void TearDown() override { RemoveTree(dir_); }

  std::string Write(const std::string& name, const nlohmann::json& scenario) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << scenario.dump(2);
    return path;
  }

  // One session of `turns` turns, each answered at once by the scripted model.
  static nlohmann::json ManyTurns(int turns) {
    nlohmann::json s = {{"name", std::to_string(turns) + " turns"},
                        {"agent", {{"models", {"gpt-4.1"}}, {"max_steps", 3}}},
                        {"models", {{"gpt-4.1", nlohmann::json::array()}}},
                        {"turns", nlohmann::json::array()}};
    for (int t = 1; t <= turns; ++t) {
      s["models"]["gpt-4.1"].push_back({{"content", "Thought: easy.\nFinal Answer: " + std::to_string(t)}});
      s["turns"].push_back({{"user", "Say " + std::to_string(t)},
                            {"expect", {{"final_answer", std::to_string(t)}, {"stop_reason", "final_answer"}}}});
    }
    return s;
  }

  std::string dir_;
};

TEST_F(CliTestCommand, AScenarioOfManyTurnsIsNotRateLimitedOnTheSimulatedClock) {
  // 40 turns take no simulated time; a per-user window of 30 turns a minute used to refuse
  // turn 31 with rate_limited.
  const std::string file = Write("forty.json", ManyTurns(40));
  CliRun run = Reagent("test " + ShellQuote(file));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("PASS 40 turns"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("1 passed, 0 failed"), std::string::npos) << run.out;
}

TEST_F(CliTestCommand, AScriptForAModelOutsideAgentModelsFailsAsMalformed) {
  nlohmann::json s = ManyTurns(1);
  s["models"]["gpt-4.1-mnii"] = nlohmann::json::parse(R"([{"content": "Final Answer: 1"}])");
  const std::string file = Write("typo.json", s);
  CliRun run = Reagent("test " + ShellQuote(file));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("FAIL " + file + ": " + file + ": invalid scenario:"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("models.gpt-4.1-mnii: scripts a model that agent.models does not name"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("0 passed, 1 failed"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace reagent::testing
