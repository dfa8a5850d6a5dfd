// Hostile files, streams and configs against the real binary: numbers beyond a double's
// range, 100,000 nested brackets, devices, directories and FIFOs where files are expected,
// input without newlines, durations and integers at the edges of their types, header
// injection. Each once crashed, hung, read without bound or silently misbehaved.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/mockllm/mock_llm_server.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

using testing::CliRun;
using testing::ReagentShell;
using testing::ReagentSplit;
using testing::ShellQuote;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class HostileInputCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("hostile-input"); }
  void TearDown() override { testing::RemoveTree(dir_); }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::string dir_;
};

// Once SIGABRT (an uncaught nlohmann::out_of_range), exit 134.
TEST_F(HostileInputCli, ScanJsonlAnswersANumberOutOfRangeWithAnErrorLine) {
  const std::string in = Write("in.jsonl", "{\"id\": 1, \"text\": \"hi\", \"weight\": 1e400}\n{\"id\": 2, \"text\": \"ok\"}\n");
  CliRun r = ReagentShell("scan --jsonl < " + ShellQuote(in));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_NE(lines[0].find("line 1: invalid JSON at byte"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("out of range"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"verdict\":\"allow\""), std::string::npos) << lines[1];
}

// Once SIGSEGV (a stack overflow in the recursive walk over the id).
TEST_F(HostileInputCli, ScanJsonlAnswersAnIdNested100000DeepWithAnErrorLine) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string in = Write("in.jsonl", "{\"id\": " + deep + ", \"text\": \"hi\"}\n");
  CliRun r = ReagentShell("scan --jsonl < " + ShellQuote(in));
  EXPECT_EQ(r.exit_code, 1) << r.out.substr(0, 300);
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("nesting deeper than 64 levels"), std::string::npos) << lines[0];
}

// Once `scan --jsonl < /dev/zero` grew one line until it failed, and exited 0 silently.
TEST_F(HostileInputCli, ScanJsonlReportsALineWithoutEndAtTheLimitAndGoesOn) {
  CliRun r = ReagentShell("scan --jsonl", "{ head -c 20000000 /dev/zero; printf '\\n{\"id\":2,\"text\":\"ok\"}\\n'; } |");
  EXPECT_EQ(r.exit_code, 1);
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out.substr(0, 300);
  EXPECT_NE(lines[0].find("longer than 16777216 bytes (16 MiB), the limit for one JSON line"), std::string::npos)
      << lines[0];
  EXPECT_NE(lines[1].find("\"id\":2"), std::string::npos) << lines[1];
}

// Once read until bad_alloc (15.7 GB), or an uncaught std::ios_failure for a directory.
TEST_F(HostileInputCli, ScanFileRefusesDevicesDirectoriesAndFifos) {
  CliRun zero = ReagentSplit("scan --file /dev/zero --max-bytes 1000");
  EXPECT_EQ(zero.exit_code, 2);
  EXPECT_NE(zero.err.find("/dev/zero is a character device, not a regular file"), std::string::npos) << zero.err;
  CliRun dir = ReagentSplit("scan --file " + ShellQuote(dir_));
  EXPECT_EQ(dir.exit_code, 2);
  EXPECT_NE(dir.err.find("is a directory, not a regular file"), std::string::npos) << dir.err;
  const std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  CliRun f = ReagentSplit("scan --file " + ShellQuote(fifo));  // must not wait for a writer
  EXPECT_EQ(f.exit_code, 2);
  EXPECT_NE(f.err.find("is a FIFO"), std::string::npos) << f.err;
}

TEST_F(HostileInputCli, ScanFileLongerThanMaxBytesIsBlockedAfterReadingOneBytePast) {
  const std::string big = Write("big.txt", std::string(5 << 20, 'a'));
  CliRun r = ReagentSplit("scan --file " + ShellQuote(big) + " --max-bytes 1000");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  auto j = ParseJson(r.out);
  ASSERT_TRUE(j.ok()) << r.out;
  EXPECT_EQ((*j)["findings"][0]["rule"], "hygiene.too_long");
  EXPECT_EQ((*j)["findings"][0]["end"], 1001);
}

TEST_F(HostileInputCli, TokensJsonlAnswersANumberOutOfRangeWithAnErrorLine) {
  const std::string in = Write("in.jsonl", "{\"id\": 1e400, \"text\": \"hi\"}\n{\"id\": 2, \"text\": \"hello\"}\n");
  CliRun r = ReagentShell("tokens --jsonl < " + ShellQuote(in));
  EXPECT_EQ(r.exit_code, 1);  // a bad line makes the exit status 1, as before
  auto lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_NE(lines[0].find("out of range"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1], "{\"id\":2,\"count\":1}");
}

// Once one such file aborted the whole directory run: no output, no JUnit file.
TEST_F(HostileInputCli, AScenarioWithANumberOutOfRangeFailsAloneAndTheReportIsWritten) {
  const std::string scenarios = dir_ + "/scenarios";
  std::filesystem::create_directories(scenarios);
  std::filesystem::copy_file(std::string(REAGENT_SOURCE_DIR) + "/examples/scenarios/deadline.json",
                             scenarios + "/deadline.json");
  std::ofstream(scenarios + "/hostile.json")
      << R"({"name": "hostile", "agent": {"models": ["gpt-4.1"]}, "models": {"gpt-4.1": [
            {"content": "Final Answer: x", "usage": {"prompt_tokens": 1e400}}]},
            "turns": [{"user": "hi", "expect": {"stop_reason": "final_answer"}}]})";
  const std::string junit = dir_ + "/report.xml";
  CliRun r = ReagentSplit("test " + ShellQuote(scenarios) + " --junit " + ShellQuote(junit));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("hostile.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("out of range"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 passed, 1 failed"), std::string::npos) << r.out;
  EXPECT_NE(ReadFile(junit).find("<testsuite"), std::string::npos);
}

// Once read as -1 (an unsigned value cast to int64).
TEST_F(HostileInputCli, IntegersBeyondTheirRangeAreConfigErrorsNamingTheKey) {
  const std::string cfg = Write("c.json", R"({"budget": {"max_tokens": 18446744073709551615},
                                              "agent": {"max_steps": 4294967297},
                                              "breaker": {"failure_threshold": 1e300}})");
  CliRun r = ReagentSplit("config check --config " + ShellQuote(cfg));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("budget.max_tokens: must be at most"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("got 18446744073709551615"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("agent.max_steps: must be at most 2147483647"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("breaker.failure_threshold: expected integer"), std::string::npos) << r.err;
}

// Once put on the wire: a second header smuggled through a configured value.
TEST_F(HostileInputCli, CrOrLfInAConfiguredHeaderIsAConfigError) {
  const std::string cfg = Write("c.json", R"({"models": [{"model": "gpt-4.1-mini",
      "headers": {"X-Org": "org-1\r\nX-Injected: yes"}}]})");
  for (const std::string cmd : {"config check --config ", "run --config "}) {
    CliRun r = ReagentSplit(cmd + ShellQuote(cfg) + (cmd[0] == 'r' ? " 'hi'" : ""));
    EXPECT_EQ(r.exit_code, 2) << cmd << r.err;
    EXPECT_NE(r.err.find("models[0].headers.X-Org: header value contains CR, LF or NUL"), std::string::npos)
        << cmd << r.err;
  }
}

// Once wrapped past ~9.2e9 s: every session expired, and every call failed "deadline passed
// before call".
TEST_F(HostileInputCli, HugeDurationsSaturateInsteadOfWrapping) {
  mockllm::MockLlmServer mock;
  ASSERT_TRUE(mock.Start().ok());
  const std::string cfg = Write("c.json", DumpJson(Json{
      {"models", {{{"model", "gpt-4.1-mini"}, {"base_url", mock.base_url()}, {"timeout_s", 1e12}}}},
      {"sessions", {{"db", dir_ + "/s.db"}, {"ttl_s", 1e12}}},
      {"retry", {{"max_wait_s", 1e12}, {"cap_s", 1e12}}}}));
  const std::string run = "run --config " + ShellQuote(cfg) + " --deadline 1e12 --json ";
  CliRun first = ReagentSplit(run + "'What is 17*23?'");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = ParseJson(first.out);
  ASSERT_TRUE(j.ok()) << first.out;
  EXPECT_EQ((*j)["final_answer"], "391");
  const std::string session = (*j)["session_id"].get<std::string>();
  CliRun again = ReagentSplit(run + "--session " + session + " 'And times 2?'");
  EXPECT_EQ(again.exit_code, 0) << again.err;  // not expired the moment it was written
  CliRun listed = ReagentSplit("sessions list --db " + ShellQuote(dir_ + "/s.db"));
  EXPECT_NE(listed.out.find(session), std::string::npos) << listed.out;
}

}  // namespace
}  // namespace reagent
