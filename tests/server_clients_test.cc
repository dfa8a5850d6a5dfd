// Real clients against `reagent serve`: the official openai npm package (stream and not) and
// the chat page in Debian's headless chromium. Skipped, saying why, only when node, the
// pinned npm packages (tests/js, installed by scripts/install-deps) or chromium are absent.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "support/reagent_process.h"
#include "support/serve_harness.h"

namespace reagent {
namespace {

using testing::ServeHarness;

const std::string kJsDir = std::string(REAGENT_SOURCE_DIR) + "/tests/js";

std::string Missing() {
  if (std::system("command -v node >/dev/null 2>&1") != 0) return "node is not installed (scripts/install-deps)";
  for (const char* pkg : {"openai", "playwright-core"}) {
    if (!std::filesystem::exists(kJsDir + "/node_modules/" + pkg)) {
      return std::string("tests/js/node_modules/") + pkg + " is missing (scripts/install-deps runs npm ci there)";
    }
  }
  return "";
}

std::string Chromium() {
  if (const char* env = std::getenv("CHROMIUM"); env && *env) return env;
  return "/usr/bin/chromium";
}

// Runs `node SCRIPT ARGS` in tests/js; the last stdout line is its JSON report.
Json Node(const std::string& script, const std::vector<std::string>& args, std::string* output) {
  std::string cmd = "cd " + testing::ShellQuote(kJsDir) + " && node " + script;
  for (const auto& a : args) cmd += " " + testing::ShellQuote(a);
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while (p && (n = fread(buf.data(), 1, buf.size(), p)) > 0) output->append(buf.data(), n);
  if (p) pclose(p);
  const size_t start = output->rfind("\n{");
  auto j = ParseJson(start == std::string::npos ? *output : output->substr(start + 1), "node output");
  return j.ok() ? *j : Json();
}

TEST(ServeClients, TheOfficialOpenAiClientWorksUnchangedStreamingAndNot) {
  if (const std::string why = Missing(); !why.empty()) GTEST_SKIP() << why;
  ServeHarness h;
  ASSERT_TRUE(h.ok()) << h.Stderr();
  std::string output;
  const Json r = Node("openai_client.mjs", {h.base_url(), ServeHarness::kAliceKey}, &output);
  ASSERT_TRUE(r.is_object()) << output;
  EXPECT_EQ(r["plain"]["content"], "391") << output;
  EXPECT_EQ(r["plain"]["finish_reason"], "stop");
  EXPECT_GT(r["plain"]["total_tokens"].get<int64_t>(), 0);
  EXPECT_EQ(r["plain"]["stop_reason"], "final_answer");
  EXPECT_EQ(r["stream"]["content"], "42") << output;
  EXPECT_EQ(r["stream"]["finish_reason"], "stop");
  EXPECT_GE(r["stream"]["chunks"].get<int>(), 3);
  EXPECT_GT(r["stream"]["total_tokens"].get<int64_t>(), 0);
  EXPECT_EQ(r["stream"]["session_id"], r["plain"]["session_id"]);  // metadata.session_id continued it
  EXPECT_EQ(r["models"], Json::array({"reagent", "gpt-4.1-mini"}));
  EXPECT_EQ(r["wrong_key"]["name"], "AuthenticationError") << output;
  EXPECT_EQ(r["wrong_key"]["status"], 401);
  EXPECT_EQ(r["wrong_key"]["code"], "invalid_api_key");
}

TEST(ServeClients, TheChatPageStreamsTheAnswerInARealBrowser) {
  if (const std::string why = Missing(); !why.empty()) GTEST_SKIP() << why;
  if (!std::filesystem::exists(Chromium())) GTEST_SKIP() << Chromium() << " is not installed (scripts/install-deps)";
  // One character per chunk, a little apart, so the page visibly grows the answer.
  ServeHarness h({.mock_args = {"--chunk-chars", "1", "--stream-delay-ms", "15"}});
  ASSERT_TRUE(h.ok()) << h.Stderr();
  const std::string profile = testing::MakeTempDir("chromium-profile");
  std::string output;
  const Json r = Node("chat_page.mjs", {"http://127.0.0.1:" + std::to_string(h.port()) + "/", ServeHarness::kAliceKey,
                                        Chromium(), profile}, &output);
  testing::RemoveTree(profile);
  ASSERT_TRUE(r.is_object()) << output;
  EXPECT_FALSE(r.contains("page_error")) << output;
  ASSERT_FALSE(r.contains("error")) << output;
  EXPECT_EQ(r["answer"], "391") << output;
  // Token by token: the page showed a prefix of the answer before the whole of it.
  bool partial = false;
  for (const Json& d : r["deltas"]) partial |= d == "3" || d == "39";
  EXPECT_TRUE(partial) << r["deltas"].dump();
  bool tool_step = false;
  for (const Json& s : r["steps"]) tool_step |= s.get<std::string>().find("tool calculator(17*23)") != std::string::npos;
  EXPECT_TRUE(tool_step) << r["steps"].dump();
  EXPECT_NE(r["meta"].get<std::string>().find("final_answer · 2 steps · $"), std::string::npos) << r["meta"];
  EXPECT_NE(r["cost"].get<std::string>().find("session cost $"), std::string::npos);
  EXPECT_EQ(r["session"].get<std::string>().size(), 22u);
  EXPECT_EQ(r["second_answer"], "42");
  EXPECT_EQ(r["second_session"], r["session"]);  // the page kept the session id
}

}  // namespace
}  // namespace reagent
