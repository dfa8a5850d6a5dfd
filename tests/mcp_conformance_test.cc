// The official MCP client conformance suite (@modelcontextprotocol/conformance, pinned in
// tests/mcp) against `reagent mcp`: the scenarios that apply to a tool client. Elicitation
// (reagent declares no elicitation capability) and OAuth (reagent sends configured headers,
// it does not run OAuth flows) do not apply. Skipped, saying why, without node.
#include <gtest/gtest.h>

#include "support/mcp_servers.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

class McpConformanceTest : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(McpConformanceTest, ScenarioPasses) {
  if (auto why = testing::McpServersMissing(); !why.empty()) GTEST_SKIP() << why;
  const auto [scenario, command] = GetParam();
  const std::string dir = testing::MakeTempDir("mcp-conformance");
  // The runner appends the server's URL to the command and writes results/ in the cwd.
  const std::string line = "cd " + dir + " && node " + testing::ShellQuote(testing::ConformanceJs()) +
                           " client --scenario " + scenario + " --command " +
                           testing::ShellQuote(std::string(REAGENT_BIN) + " " + command) + " 2>&1";
  std::string out;
  int status = -1;
  if (FILE* p = ::popen(line.c_str(), "r")) {
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    status = ::pclose(p);
  }
  testing::RemoveTree(dir);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("OVERALL: PASSED"), std::string::npos) << out;
  EXPECT_NE(out.find(" 0 failed"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(
    Client, McpConformanceTest,
    ::testing::Values(std::make_pair("initialize", "mcp list"),
                      std::make_pair("tools_call", "mcp call --tool add_numbers --args '{\"a\":2,\"b\":3}'"),
                      std::make_pair("sse-retry", "mcp call --tool test_reconnection")),
    [](const auto& param_info) {
      std::string name = param_info.param.first;
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

}  // namespace
}  // namespace reagent
