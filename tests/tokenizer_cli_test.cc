// `reagent tokens` end to end: the real executable, text from arguments and stdin.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "reagent/core/json.h"
#include "support/reagent_process.h"

namespace {

using reagent::testing::CliRun;

// Runs `reagent tokens <args>` with `input` on stdin; stdout only unless `merge_stderr`.
CliRun Tokens(const std::string& args, const std::string& input = "", bool merge_stderr = false) {
  CliRun r = reagent::testing::ReagentSplit("tokens " + args, "", input);
  if (merge_stderr) r.out += r.err;
  return r;
}

TEST(TokenizerCli, CountsTextGivenAsAnArgument) {
  CliRun r = Tokens("'hello world'");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "2\n");
}

TEST(TokenizerCli, ReadsStdinWhenNoTextIsGiven) {
  CliRun r = Tokens("--encoding cl100k_base --ids", "hello world");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "[15339,1917]\n");
}

TEST(TokenizerCli, ModelPicksItsEncoding) {
  EXPECT_EQ(Tokens("--model gpt-4o --ids hello").out, "[24912]\n");
  EXPECT_EQ(Tokens("--model gpt-3.5-turbo --ids hello").out, "[15339]\n");
}

TEST(TokenizerCli, UnknownModelGetsAnEstimateAndSaysSo) {
  CliRun r = Tokens("--model some-local-llama 'Xin chào thế giới'", "", /*merge_stderr=*/true);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("estimated"), std::string::npos) << r.out;
  EXPECT_EQ(Tokens("--model some-local-llama --ids x").exit_code, 2);
}

TEST(TokenizerCli, JsonlAnswersEveryLineInOrder) {
  CliRun r = Tokens("--jsonl --ids", "{\"id\":1,\"text\":\"hello\"}\n\n{\"id\":\"b\",\"text\":\"hello world\"}\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "{\"id\":1,\"count\":1,\"ids\":[24912]}\n{\"id\":\"b\",\"count\":2,\"ids\":[24912,2375]}\n");
}

TEST(TokenizerCli, JsonlReportsABadLineAndGoesOn) {
  CliRun r = Tokens("--jsonl", "{\"id\":1}\nnot json\n{\"id\":3,\"text\":\"hello\"}\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("{\"id\":1,\"line\":1,\"error\":\"line 1: needs a string field \\\"text\\\"\"}"),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"id\":null,\"line\":2,\"error\":"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("{\"id\":3,\"count\":1}"), std::string::npos) << r.out;
}

// `tokens --jsonl` and `scan --jsonl` agree: the id is echoed (null when absent), a bad line
// gets {"id","line","error"}, and the exit code is 1 when any line was bad.
TEST(TokenizerCli, JsonlAgreesWithScanOnIdsErrorsAndExitCode) {
  const std::string input = "{\"text\":\"hello\"}\n{\"id\":\"x\"}\n";
  CliRun tokens = Tokens("--jsonl", input);
  CliRun scan = reagent::testing::ReagentSplit("scan --jsonl", "", input);
  EXPECT_EQ(tokens.exit_code, 1);
  EXPECT_EQ(scan.exit_code, tokens.exit_code);
  std::vector<nlohmann::json> t, s;
  for (const CliRun* run : {&tokens, &scan}) {
    std::istringstream lines(run->out);
    std::string line;
    auto& into = run == &tokens ? t : s;
    while (std::getline(lines, line)) into.push_back(*reagent::ParseJson(line));
  }
  ASSERT_EQ(t.size(), 2u) << tokens.out;
  ASSERT_EQ(s.size(), 2u) << scan.out;
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(t[i]["id"], s[i]["id"]) << i;
    EXPECT_TRUE(t[i].contains("id"));
  }
  EXPECT_TRUE(t[0]["id"].is_null());
  EXPECT_EQ(t[1]["line"], s[1]["line"]);
  EXPECT_EQ(t[1]["error"], s[1]["error"]);
}

TEST(TokenizerCli, DecodeTurnsIdsBackIntoText) {
  CliRun r = Tokens("--decode", "[24912, 2375]");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "hello world");
}

TEST(TokenizerCli, DecodeRejectsAnUnknownId) {
  CliRun r = Tokens("--decode", "[24912, 999999]", /*merge_stderr=*/true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("999999"), std::string::npos) << r.out;
  EXPECT_EQ(Tokens("--decode", "{\"not\":\"ids\"}").exit_code, 2);
}

TEST(TokenizerCli, SpecialTokensAreTextUnlessAllowed) {
  EXPECT_NE(Tokens("--ids '<|endoftext|>'").out, "[199999]\n");
  EXPECT_EQ(Tokens("--allow-special --ids '<|endoftext|>'").out, "[199999]\n");
}

TEST(TokenizerCli, UnknownEncodingIsAUsageError) {
  EXPECT_EQ(Tokens("--encoding p50k_base x").exit_code, 2);
  EXPECT_EQ(Tokens("--encoding cl100k_base --model gpt-4o x").exit_code, 2);
}

}  // namespace
