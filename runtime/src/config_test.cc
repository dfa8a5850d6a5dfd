#include "reagent/runtime/config.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace reagent {
namespace {

TEST(ConfigTest, EmptyObjectKeepsTheDefaults) {
  auto c = ParseConfig(Json::object(), "reagent.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->models.size(), 1u);
  EXPECT_EQ(c->max_steps, 10);
  EXPECT_EQ(c->max_parallel_tools, 8);
  EXPECT_EQ(c->budget_max_tokens, 8000);
  EXPECT_EQ(c->session_ttl_s, 3600);
  EXPECT_EQ(c->max_sessions, 10000);
  EXPECT_EQ(c->max_concurrent_per_user, 3);
  EXPECT_EQ(c->requests_per_minute, 30);
}

TEST(ConfigTest, ReadsModelsInFallbackOrderWithPrices) {
  auto c = ParseConfig(Json::parse(R"({"models": [
      {"model": "gpt-4.1", "base_url": "http://127.0.0.1:1/v1", "api_key_env": "MY_KEY",
       "price": {"input": 2, "output": 8}},
      "deepseek-chat"]})"), "x.json");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->models.size(), 2u);
  EXPECT_EQ(c->models[0].api_key_env, "MY_KEY");
  EXPECT_EQ(*c->models[0].price_output, 8);
  EXPECT_EQ(c->models[1].model, "deepseek-chat");
}

TEST(ConfigTest, MaxParallelToolsIsReadAndMustBePositive) {
  auto c = ParseConfig(Json::parse(R"({"agent": {"max_parallel_tools": 2}})"), "x.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->max_parallel_tools, 2);
  c = ParseConfig(Json::parse(R"({"agent": {"max_parallel_tools": 0}})"), "x.json");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("agent.max_parallel_tools"), std::string::npos)
      << c.status().message();
}

TEST(ConfigTest, BadKeyIsNamedWithTheFile) {
  auto c = ParseConfig(Json::parse(R"({"budget": {"max_tokens": "lots"}, "sesions": {}})"), "cfg.json");
  ASSERT_FALSE(c.ok());
  std::string m = c.status().message();
  EXPECT_NE(m.find("cfg.json"), std::string::npos) << m;
  EXPECT_NE(m.find("budget.max_tokens: expected integer, got string"), std::string::npos) << m;
  EXPECT_NE(m.find("sesions: unknown key"), std::string::npos) << m;
}

TEST(ConfigTest, EffectiveConfigNeverShowsTheKeyOrHeaders) {
  setenv("REAGENT_TEST_KEY", "sk-this-must-not-appear-anywhere", 1);
  auto c = ParseConfig(Json::parse(R"({"models": [{"model": "m", "api_key_env": "REAGENT_TEST_KEY",
      "headers": {"X-Secret": "hush"}}]})"), "x.json");
  ASSERT_TRUE(c.ok());
  std::string dumped = EffectiveConfigJson(*c).dump();
  EXPECT_EQ(dumped.find("sk-this-must-not-appear-anywhere"), std::string::npos);
  EXPECT_EQ(dumped.find("hush"), std::string::npos);
  EXPECT_NE(dumped.find("(set, redacted)"), std::string::npos);
  unsetenv("REAGENT_TEST_KEY");
}

TEST(ConfigTest, ExplicitMissingFileIsAnError) {
  auto c = LoadConfig("/nonexistent/reagent.json");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("/nonexistent/reagent.json"), std::string::npos);
}

TEST(ConfigTest, RemembersWhichKeysTheFileSet) {
  auto c = ParseConfig(Json::parse(R"({"agent": {"user": "ops"}, "limiter": {"rpm": 60}, "cache": true})"), "x.json");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->Sets("agent.user"));
  EXPECT_TRUE(c->Sets("limiter"));
  EXPECT_TRUE(c->Sets("limiter.rpm"));
  EXPECT_TRUE(c->Sets("cache"));
  EXPECT_FALSE(c->Sets("sessions.requests_per_minute"));
  EXPECT_FALSE(c->Sets("limiter.tpm"));
}

TEST(ConfigTest, RelativePathsTheFileSetFollowItsFolder) {
  auto c = ParseConfig(Json::parse(R"({
      "tools": {"root": ".", "external": [{"name": "a", "argv": ["./bin/a", "x"], "cwd": "work"},
                                          {"name": "b", "argv": ["grep", "-r"]},
                                          {"name": "c", "argv": ["/usr/bin/c"]}]},
      "sessions": {"db": "../state/r.db"}, "cache": "c.db",
      "sanitizer": {"rule_files": ["rules/mine.json", "/etc/r.json"]}, "log": {"file": "log.txt"}})"),
                       "conf/reagent.json");
  ASSERT_TRUE(c.ok()) << c.status();
  ResolveRelativePaths(*c, "conf");
  EXPECT_EQ(c->tools_root, "conf");
  EXPECT_EQ(c->external_tools[0]["argv"][0], "conf/bin/a");
  EXPECT_EQ(c->external_tools[0]["argv"][1], "x");  // arguments are the program's business
  EXPECT_EQ(c->external_tools[0]["cwd"], "conf/work");
  EXPECT_EQ(c->external_tools[1]["argv"][0], "grep");  // a bare name is looked up on $PATH
  EXPECT_EQ(c->external_tools[2]["argv"][0], "/usr/bin/c");
  EXPECT_EQ(c->db_path, "state/r.db");
  EXPECT_EQ(c->cache_file, "conf/c.db");
  EXPECT_EQ(c->rule_files, (std::vector<std::string>{"conf/rules/mine.json", "/etc/r.json"}));
  EXPECT_EQ(c->log_file, "conf/log.txt");
}

TEST(ConfigTest, DefaultsStayRelativeToTheWorkingDirectory) {
  auto c = ParseConfig(Json::parse(R"({"agent": {"max_steps": 3}})"), "conf/reagent.json");
  ASSERT_TRUE(c.ok());
  ResolveRelativePaths(*c, "conf");
  EXPECT_EQ(c->tools_root, ".");
  EXPECT_EQ(c->db_path, "");
}

TEST(ConfigTest, CountsMustBeWholeNumbers) {
  auto c = ParseConfig(Json::parse(R"({"breaker": {"failure_threshold": 2.5}, "retry": {"max_attempts": 2.0}})"), "x.json");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("breaker.failure_threshold: expected integer, got 2.5"), std::string::npos)
      << c.status();
  EXPECT_NE(c.status().message().find("retry.max_attempts: expected integer"), std::string::npos) << c.status();
}

}  // namespace
}  // namespace reagent
