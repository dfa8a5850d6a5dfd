// MCP servers that crash, hang, flood stdout with garbage, answer 5 MB or poison a tool
// description, through the `reagent` binary with the mock model: each is a clear tool error
// (or a refused tool) and the turn goes on to its answer. Uses the fake server of
// tools/mcp/testing, so it needs no node.
#include <gtest/gtest.h>

#include <fstream>

#include "reagent/core/json.h"
#include "reagent/mockllm/mock_llm_server.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

using testing::CliRun;
using testing::ReagentSplit;
using testing::ShellQuote;

class McpHostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(model_.Start().ok());
    dir_ = testing::MakeTempDir("mcp-hostile");
  }
  void TearDown() override {
    model_.Stop();
    testing::RemoveTree(dir_);
  }
  std::string Config(std::vector<std::string> flags = {}, double timeout_s = 2) {
    Json command = Json::array({REAGENT_FAKE_MCP_SERVER});
    for (auto& f : flags) command.push_back(f);
    const std::string path = dir_ + "/reagent.json";
    std::ofstream(path) << DumpJson(
        {{"tools", {{"mcp", Json::array({{{"name", "shaky"}, {"command", command}, {"timeout_s", timeout_s}}})}}}});
    return path;
  }
  CliRun Run(const std::string& config, const std::string& question) {
    return ReagentSplit("run --config " + config + " --base-url " + model_.base_url() + " -m gpt-4.1 --db " + dir_ +
                            "/s.db --json " + ShellQuote(question),
                        "NO_COLOR=1 OPENAI_API_KEY=");
  }
  // The turn ends with an answer (the mock's, from the observation), and the tool's
  // observation says what went wrong.
  void ExpectToolErrorAndAnswer(const CliRun& r, const std::string& tool, const std::string& error) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = ParseJson(r.out, "run --json");
    ASSERT_TRUE(j.ok()) << r.out;
    EXPECT_EQ((*j)["stop_reason"], "final_answer");
    EXPECT_EQ((*j)["tool_calls"], Json::array({tool}));
    EXPECT_FALSE((*j)["final_answer"].get<std::string>().empty());
    const Json& observations = (*j)["trace"][0]["observations"];
    ASSERT_EQ(observations.size(), 1u) << r.out;
    EXPECT_NE(observations[0].get<std::string>().find(error), std::string::npos) << observations[0];
  }

  mockllm::MockLlmServer model_;
  std::string dir_;
};

TEST_F(McpHostileTest, AServerThatCrashesMidCall) {
  ExpectToolErrorAndAnswer(Run(Config(), "Call crash with {}"), "crash",
                           "crash failed: mcp server \"shaky\": the server exited with status 3: fake-mcp-server: "
                           "simulated crash in the middle of a call");
}

TEST_F(McpHostileTest, AServerThatHangs) {
  ExpectToolErrorAndAnswer(Run(Config({}, 0.5), "Call hang with {}"), "hang",
                           "hang timed out after 0.5 s (mcp server \"shaky\" was asked to cancel it)");
}

TEST_F(McpHostileTest, AServerThatSendsGarbage) {
  ExpectToolErrorAndAnswer(Run(Config(), "Call garbage with {}"), "garbage",
                           "the server keeps writing output that is not JSON-RPC to stdout");
}

TEST_F(McpHostileTest, AServerThatAnswersFiveMegabytes) {
  ExpectToolErrorAndAnswer(Run(Config(), "Call huge with {}"), "huge",
                           "the server sent a message of more than 4194304 bytes (the limit is max_message_bytes)");
}

TEST_F(McpHostileTest, AServerThatDoesNotStartLeavesTheAgentWorking) {
  CliRun r = Run(Config({"--exit-at-init"}), "What is 17*23?");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("mcp server \"shaky\" (stdio: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("did not start: initialize: the server exited with status 7: fake-mcp-server: refusing to start"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("\"final_answer\":\"391\""), std::string::npos) << r.out;
  // config check says so and fails.
  CliRun check = ReagentSplit("config check --config " + Config({"--exit-at-init"}), "");
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("tools.mcp[0] (\"shaky\") did not start"), std::string::npos) << check.err;
  EXPECT_EQ(ReagentSplit("config check --offline --config " + Config({"--exit-at-init"}), "").exit_code, 0);
}

TEST_F(McpHostileTest, APoisonedToolDescriptionNeverReachesTheModel) {
  CliRun r = Run(Config({"--poison"}), "Call weather with {\"city\": \"Paris\"}");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("tool \"weather\" refused: the injection filter blocked its description"), std::string::npos)
      << r.err;
  // The model was not offered the tool (the mock calls only offered tools), and the
  // description is in no request: the mock saw only its own question.
  EXPECT_NE(r.out.find("\"tool_calls\":[]"), std::string::npos) << r.out;
  CliRun list = ReagentSplit("mcp list --config " + Config({"--poison"}), "");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("  refused weather: the injection filter blocked its description"), std::string::npos)
      << list.out;
  EXPECT_EQ(list.out.find("    weather"), std::string::npos) << list.out;
  CliRun call = ReagentSplit("mcp call --tool weather --config " + Config({"--poison"}), "");
  EXPECT_EQ(call.exit_code, 1);
  EXPECT_NE(call.err.find("weather is refused: the injection filter blocked its description"), std::string::npos)
      << call.err;
}

TEST_F(McpHostileTest, AToolNamedLikeABuiltinIsPrefixed) {
  CliRun r = Run(Config({"--collide"}), "Call shaky__calculator with {\"expression\": \"1+1\"}");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"tool_calls\":[\"shaky__calculator\"]"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace reagent
