// `reagent config check` validates exactly what `run` validates: each configuration mistake is
// refused by both, with the same message naming the key, exit 2, and nothing created. The
// effective configuration shows every default; relative paths follow the config file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "reagent/core/json.h"
#include "reagent/mockllm/mock_llm_server.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

namespace fs = std::filesystem;
using testing::CliRun;
using testing::ReagentSplit;
using testing::ShellQuote;

class CliConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("cli-config"); }
  void TearDown() override { testing::RemoveTree(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  // Runs from the scratch directory, with no config search outside it.
  CliRun In(const std::string& args) {
    return ReagentSplit(args, "cd " + ShellQuote(dir_) + " && env -u REAGENT_CONFIG HOME=" + ShellQuote(dir_) +
                                  " OPENAI_BASE_URL=http://127.0.0.1:9/v1");
  }

  std::string dir_;
};

struct BadConfig {
  const char* json;
  const char* key;  // what the error must name
};

// Each of these was once "config ok" for `config check` and an error only for `run`.
const BadConfig kBadConfigs[] = {
    {R"({"retry": {"strategy": "sometimes"}})", "retry.strategy"},
    {R"({"retry": {"max_attempts": 0}})", "retry.max_attempts"},
    {R"({"tools": {"builtin": ["calculator", "grep"]}})", "tools.builtin[1]"},
    {R"({"tools": {"external": [{"name": "x", "description": "d"}]}})", "tools.external[0].argv"},
    {R"({"sanitizer": {"rule_files": ["missing-rules.json"]}})", "sanitizer.rule_files[0]"},
    {R"({"sanitizer": {"block_threshold": 1.5}})", "sanitizer.block_threshold"},
    {R"({"log": {"level": "verbose"}})", "log.level"},
    {R"({"models": ["my-local-llama"], "budget": {"max_cost_usd": 0.05}})", "budget.max_cost_usd"},
    {R"({"tools": {"root": "no/such/dir"}})", "tools.root"},
    {R"({"breaker": {"failure_threshold": 2.5}})", "breaker.failure_threshold"},
    {R"({"sessions": {"db": "no/such/dir/r.db"}})", "sessions.db"},
    {R"({"tools": {"external": [{"name": "x", "argv": ["./not-here.sh"]}]}})", "tools.external[0].argv[0]"},
    {R"({"cache": 3})", "cache"},
};

TEST_F(CliConfigTest, CheckRefusesWhatRunRefusesNamingTheKeyWithExitTwo) {
  for (const BadConfig& bad : kBadConfigs) {
    const std::string path = Write("bad.json", bad.json);
    CliRun check = In("config check -c " + ShellQuote(path));
    CliRun run = In("run -c " + ShellQuote(path) + " 'What is 2+2?'");
    EXPECT_EQ(check.exit_code, 2) << bad.json << "\n" << check.err;
    EXPECT_EQ(run.exit_code, 2) << bad.json << "\n" << run.err;
    EXPECT_NE(check.err.find(bad.key), std::string::npos) << bad.json << "\n" << check.err;
    EXPECT_EQ(check.err, run.err) << bad.json;
    EXPECT_EQ(check.out, "") << bad.json;
    EXPECT_FALSE(fs::exists(dir_ + "/reagent.db")) << bad.json << ": a refused config created the database";
  }
}

TEST_F(CliConfigTest, CheckCreatesNothingAndShowsEveryDefault) {
  CliRun r = In("config check");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("config ok (defaults)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_ + "/reagent.db"));
  auto j = ParseJson(r.out);
  ASSERT_TRUE(j.ok()) << r.out;
  for (const char* section : {"retry", "breaker", "limiter", "agent", "budget", "sanitizer", "sessions", "log"}) {
    ASSERT_TRUE((*j)[section].is_object()) << section;
    EXPECT_FALSE((*j)[section].empty()) << section << " shows no defaults";
  }
  EXPECT_EQ((*j)["retry"]["max_attempts"], 3);
  EXPECT_TRUE((*j)["retry"]["max_attempts"].is_number_integer());
  EXPECT_EQ((*j)["retry"]["strategy"], "full_jitter");
  EXPECT_EQ((*j)["breaker"]["failure_threshold"], 5);
  EXPECT_EQ((*j)["limiter"]["concurrency"], 10);
  EXPECT_TRUE((*j)["sessions"]["ttl_s"].is_number_integer()) << (*j)["sessions"];
  EXPECT_TRUE((*j)["budget"]["deadline_s"].is_number_integer());
  EXPECT_EQ((*j)["models"][0]["model"], "gpt-4.1-mini");  // the default model
  EXPECT_EQ((*j)["models"][0]["price"]["from"], "built-in table");
  EXPECT_EQ((*j)["sanitizer"]["block_threshold"], 0.7);
}

TEST_F(CliConfigTest, OverridesShowAsIntegersWhenWhole) {
  const std::string path = Write("c.json", R"({"retry": {"max_attempts": 5, "base_s": 0.25},
                                              "breaker": {"failure_threshold": 2}, "limiter": {"rpm": 120}})");
  CliRun r = In("config check -c " + ShellQuote(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"max_attempts\": 5,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"base_s\": 0.25"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"failure_threshold\": 2,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rpm\": 120,"), std::string::npos) << r.out;
}

TEST_F(CliConfigTest, CheckTakesRunsFlags) {
  CliRun r = In("config check -m gpt-4.1 -m gpt-4.1-mini --max-steps 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = ParseJson(r.out);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["models"].size(), 2u);
  EXPECT_EQ((*j)["models"][1]["model"], "gpt-4.1-mini");
  EXPECT_EQ((*j)["agent"]["max_steps"], 3);
}

// A config's relative paths are relative to its folder, from whatever directory reagent runs.
TEST_F(CliConfigTest, RelativePathsFollowTheConfigFile) {
  mockllm::MockLlmServer server;
  ASSERT_TRUE(server.Start().ok());
  fs::create_directories(dir_ + "/project/docs");
  fs::create_directories(dir_ + "/project/bin");
  fs::create_directories(dir_ + "/elsewhere");
  std::ofstream(dir_ + "/project/bin/echo-tool") << "#!/bin/sh\ncat\n";
  fs::permissions(dir_ + "/project/bin/echo-tool", fs::perms::owner_all);
  const std::string config = Write("project/reagent.json", R"({
    "tools": {"builtin": ["calculator", "read_file"], "root": "docs",
              "external": [{"name": "echo_tool", "description": "Echoes", "argv": ["./bin/echo-tool"]}]},
    "sessions": {"db": "state/../sessions.db"}})");
  const std::string from = "cd " + ShellQuote(dir_ + "/elsewhere") + " && env -u REAGENT_CONFIG";
  CliRun check = ReagentSplit("config check -c ../project/reagent.json", from);
  ASSERT_EQ(check.exit_code, 0) << check.err;
  auto j = ParseJson(check.out);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["tools"]["root"], "../project/docs");
  EXPECT_EQ((*j)["sessions"]["db"], "../project/sessions.db");
  EXPECT_EQ((*j)["tools"]["external"][0]["argv"][0], "../project/bin/echo-tool");

  CliRun run = ReagentSplit("run -c ../project/reagent.json --base-url " + server.base_url() + " -q 'What is 2+3?'", from);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(fs::exists(dir_ + "/project/sessions.db"));
  EXPECT_FALSE(fs::exists(dir_ + "/elsewhere/sessions.db"));
  server.Stop();
}

}  // namespace
}  // namespace reagent
