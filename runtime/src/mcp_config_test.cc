#include "reagent/runtime/mcp_config.h"

#include <gtest/gtest.h>

#include "reagent/runtime/config.h"

namespace reagent {
namespace {

TEST(McpConfig, ReadsStdioAndHttpServers) {
  auto c = ParseConfig(Json::parse(R"({"tools": {"mcp": [
      {"name": "fs", "command": ["npx", "-y", "server-filesystem", "/srv"], "env": {"A": "1"},
       "pass_env": ["HTTPS_PROXY"], "tools": ["read_text_file"], "timeout_s": 5, "max_output_bytes": 100},
      {"name": "web", "url": "https://mcp.example.com/mcp?token=abc", "headers": {"Authorization": "Bearer ${T}"},
       "prefix_tools": true, "connect_timeout_s": 3, "max_message_bytes": 2048}]}})"),
                       "r.json");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->mcp_servers.size(), 2u);
  const McpServerConfig& fs = c->mcp_servers[0];
  EXPECT_EQ(fs.command[3], "/srv");
  EXPECT_EQ(fs.env.at("A"), "1");
  EXPECT_EQ(fs.allowed_tools, std::vector<std::string>{"read_text_file"});
  EXPECT_EQ(fs.call_timeout, Seconds(5));
  EXPECT_EQ(fs.max_output_bytes, 100u);
  const McpServerConfig& web = c->mcp_servers[1];
  EXPECT_TRUE(web.prefix_tools);
  EXPECT_EQ(web.max_message_bytes, 2048u);
  // The effective config never shows header values or a URL's query string.
  const std::string shown = DumpJson(EffectiveConfigJson(*c));
  EXPECT_EQ(shown.find("Bearer"), std::string::npos);
  EXPECT_EQ(shown.find("token=abc"), std::string::npos);
  EXPECT_NE(shown.find("\"transport\":\"http\""), std::string::npos);
}

TEST(McpConfig, ErrorsNameTheKey) {
  auto c = ParseConfig(Json::parse(R"({"tools": {"mcp": [
      {"name": "a", "command": ["x"], "url": "http://h/mcp"},
      {"name": "b b", "url": "ftp://h"},
      {"command": []},
      {"name": "d", "command": ["x"], "shell": true, "timeout_s": "fast"},
      {"name": "e", "url": "http://h/mcp", "headers": {"X-Bad": "a\r\nInjected: 1"}},
      {"name": "a", "command": ["y"]}]}})"),
                       "r.json");
  ASSERT_FALSE(c.ok());
  const std::string m = c.status().message();
  for (const char* expected : {"tools.mcp[0].command, url: exactly one is needed",
                               "tools.mcp[1].name: expected 1-32 characters", "tools.mcp[1].url: expected an http://",
                               "tools.mcp[2].name: required key is missing",
                               "tools.mcp[2].command: expected a non-empty array of strings",
                               "tools.mcp[3].shell: unknown key", "tools.mcp[3].timeout_s: expected number, got string",
                               "tools.mcp[4].headers.X-Bad: the value contains CR, LF",
                               "tools.mcp[5].name: \"a\" is used by another server"}) {
    EXPECT_NE(m.find(expected), std::string::npos) << expected << "\nin:\n" << m;
  }
}

TEST(McpConfig, NoServersByDefault) {
  auto c = ParseConfig(Json::object(), "r.json");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->mcp_servers.empty());
}

}  // namespace
}  // namespace reagent
