// The real `reagent run` and `reagent batch` against a provider that lies, in both agent
// modes: every hostile reply ends the turn with its documented exit code and stop reason,
// within the deadline, in bounded memory, within budget, and the API key never shows up in
// stdout, stderr, the log file or the session database.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "reagent/core/json.h"
#include "reagent/mockllm/hostile_provider.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

using mockllm::HostileProvider;
using testing::CliRun;
using testing::ReagentSplit;
using testing::ShellQuote;

constexpr const char* kKey = "hostile-suite-key-4d2c9e71";
// Far above what one turn of the agent needs (its peak is tens of MiB); a reply that made it
// buffer without bound (a stream that never ends, a 2^63 usage) would blow through it.
constexpr long kMaxRssKiB = 400 * 1024;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Turn {
  CliRun run;
  Json json;  // the --json result (null when there is none)
  double seconds = 0;
};

class HostileProviderTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    server_ = new HostileProvider;
    ASSERT_TRUE(server_->Start().ok());
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    dir_ = testing::MakeTempDir("hostile");
    config_ = dir_ + "/reagent.json";
    Json config = {{"retry", {{"base_s", 0.01}, {"cap_s", 0.05}}},
                   {"log", {{"level", "debug"}, {"file", dir_ + "/reagent.log"}}},
                   {"sessions", {{"db", dir_ + "/sessions.db"}, {"requests_per_minute", 100000}}},
                   {"tools", {{"builtin", {"calculator"}}}}};
    std::ofstream(config_) << DumpJson(config);
  }
  void TearDown() override {
    ExpectKeyNowhere();
    testing::RemoveTree(dir_);
  }

  const std::string& mode() const { return GetParam(); }
  std::string Env() const { return std::string("HOSTILE_API_KEY=") + kKey; }

  std::string CommonFlags(const std::string& behaviour) const {
    return "--config " + ShellQuote(config_) + " --base-url " + server_->base_url(behaviour) +
           " -m gpt-4.1-mini --api-key-env HOSTILE_API_KEY --mode " + mode();
  }

  // `reagent run --json` against a behaviour.
  Turn Run(const std::string& behaviour, const std::string& flags = "", double deadline_s = 20) {
    Turn t;
    const auto start = std::chrono::steady_clock::now();
    t.run = ReagentSplit("run " + CommonFlags(behaviour) + " --json --deadline " +
                             std::to_string(deadline_s) + " " + flags + " 'What is 2+2?'",
                         Env());
    t.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outputs_ += t.run.out + t.run.err;
    auto parsed = ParseJson(t.run.out, "run --json output");
    if (parsed.ok()) t.json = std::move(*parsed);
    EXPECT_LT(t.seconds, deadline_s + 10) << behaviour << ": the turn outlived its deadline";
    ExpectBoundedMemory();
    return t;
  }

  static std::string Stop(const Turn& t) {
    return t.json.is_object() ? t.json.value("stop_reason", "") : "(no JSON: " + t.run.err + ")";
  }

  void ExpectBoundedMemory() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);  // the largest child so far (ru_maxrss is in KiB)
    EXPECT_LT(usage.ru_maxrss, kMaxRssKiB);
  }

  // The key (in any case) in nothing the runs printed, logged or stored.
  void ExpectKeyNowhere() {
    const std::string key = Lower(kKey);
    EXPECT_EQ(Lower(outputs_).find(key), std::string::npos) << "the key was printed";
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      EXPECT_EQ(Lower(ReadFile(entry.path().string())).find(key), std::string::npos)
          << "the key is in " << entry.path();
    }
  }

  static HostileProvider* server_;
  std::string dir_, config_;
  std::string outputs_;
};

HostileProvider* HostileProviderTest::server_ = nullptr;

TEST_P(HostileProviderTest, ControlCaseAnswers) {
  Turn t = Run("ok");
  EXPECT_EQ(t.run.exit_code, 0) << t.run.err;
  EXPECT_EQ(Stop(t), "final_answer");
}

// Once an uncaught nlohmann::out_of_range: SIGABRT, exit 134.
TEST_P(HostileProviderTest, ANumberBeyondDoubleRangeInTheBodyIsAFailedCallNotACrash) {
  for (const std::string behaviour : {"huge-number", "huge-number-sse"}) {
    Turn t = Run(behaviour);
    EXPECT_EQ(t.run.exit_code, 5) << behaviour << ": " << t.run.err;
    EXPECT_EQ(Stop(t), "models_unavailable") << behaviour;
    EXPECT_NE(t.json.value("stop_detail", "").find("out of range"), std::string::npos)
        << t.json.value("stop_detail", "");
  }
}

TEST_P(HostileProviderTest, ANumberBeyondDoubleRangeInToolArgumentsIsAnObservation) {
  Turn t = Run("number-args");
  EXPECT_EQ(t.run.exit_code, 0) << t.run.err;
  EXPECT_EQ(Stop(t), "final_answer");
  EXPECT_EQ(t.json.value("final_answer", ""), "done");
}

// Once a stack overflow: SIGSEGV.
TEST_P(HostileProviderTest, DeepNestingIsRefusedNotRecursedInto) {
  Turn body = Run("deep-body");
  EXPECT_EQ(body.run.exit_code, 5) << body.run.err;
  EXPECT_EQ(Stop(body), "models_unavailable");
  EXPECT_NE(body.json.value("stop_detail", "").find("nesting deeper than"), std::string::npos);
  // 100,000 levels as the arguments: refused by the JSON policy; the 200 KB reply then fills
  // the 8,000-token turn budget, which ends the turn without overspending.
  Turn args = Run("deep-args");
  EXPECT_EQ(args.run.exit_code, 3) << args.run.err;
  EXPECT_EQ(Stop(args), "budget_exhausted");
  EXPECT_LE(args.json["usage"].value("total_tokens", int64_t{0}), 8000);
}

// Once charged as reported: -1,000,005 tokens, -$0.50; or an int overflow.
TEST_P(HostileProviderTest, UsageOutsideTheTrustedRangeIsCountedLocally) {
  for (const std::string behaviour : {"negative-usage", "huge-usage"}) {
    Turn t = Run(behaviour);
    EXPECT_EQ(t.run.exit_code, 0) << behaviour << ": " << t.run.err;
    const Json& usage = t.json["usage"];
    EXPECT_GT(usage.value("prompt_tokens", int64_t{-1}), 0) << behaviour;
    EXPECT_GE(usage.value("completion_tokens", int64_t{-1}), 0) << behaviour;
    EXPECT_LT(usage.value("total_tokens", int64_t{0}), 8000) << behaviour;
    EXPECT_GT(t.json.value("cost_usd", -1.0), 0) << behaviour;
  }
}

// Once priced by the server's name: an unpriced name switched --max-cost off, a cheaper
// name undercharged.
TEST_P(HostileProviderTest, CostIsPricedByTheRequestedModelNotTheReportedOne) {
  Turn unpriced = Run("unpriced-name", "--max-cost 0.01");
  EXPECT_EQ(unpriced.run.exit_code, 0) << unpriced.run.err;
  ASSERT_TRUE(unpriced.json["cost_usd"].is_number()) << unpriced.run.out;
  EXPECT_EQ(unpriced.json["models_used"], Json::array({"gpt-4.1-mini"}));

  Turn cheap = Run("cheap-name");
  EXPECT_EQ(cheap.run.exit_code, 0) << cheap.run.err;
  // 1,000 prompt + 1,000 completion tokens at gpt-4.1-mini's $0.40 / $1.60 per million (the
  // server claimed gpt-4.1-nano, 4x cheaper).
  EXPECT_NEAR(cheap.json.value("cost_usd", 0.0), 0.002, 1e-9);
  EXPECT_EQ(cheap.json.value("model_used", ""), "gpt-4.1-mini");
}

TEST_P(HostileProviderTest, AModelWithoutAPriceAndACostLimitIsRefusedUpFront) {
  const int64_t before = server_->requests("ok");
  Turn t = Run("ok", "-m hostile-unpriced-model --max-cost 0.01");
  EXPECT_EQ(t.run.exit_code, 2) << t.run.err;
  EXPECT_NE(t.run.err.find("unpriced"), std::string::npos) << t.run.err;
  EXPECT_EQ(server_->requests("ok"), before) << "nothing may be sent before the refusal";
}

// Once printed and stored verbatim.
TEST_P(HostileProviderTest, AnEchoedKeyIsRedactedInTheAnswerTheStreamAndTheDatabase) {
  Turn t = Run("echo-key");
  EXPECT_EQ(t.run.exit_code, 0) << t.run.err;
  EXPECT_EQ(t.json.value("final_answer", ""), "The key you sent is [REDACTED].");
  // Streamed to a terminal-less stdout as well (the scrubber holds back split keys).
  CliRun streamed = ReagentSplit("run " + CommonFlags("echo-key") + " -v 'key?'", Env());
  outputs_ += streamed.out + streamed.err;
  EXPECT_EQ(streamed.exit_code, 0) << streamed.err;
  EXPECT_NE(streamed.out.find("[REDACTED]"), std::string::npos) << streamed.out;
  // And with on_secret = block, no answer at all.
  std::ofstream(dir_ + "/block.json")
      << DumpJson(Json{{"agent", {{"on_secret", "block"}}},
                       {"sessions", {{"db", dir_ + "/sessions.db"}, {"requests_per_minute", 100000}}}});
  CliRun blocked = ReagentSplit("run --config " + ShellQuote(dir_ + "/block.json") + " --base-url " +
                                    server_->base_url("echo-key") +
                                    " -m gpt-4.1-mini --api-key-env HOSTILE_API_KEY --mode " + mode() +
                                    " --json 'key?'",
                                Env());
  outputs_ += blocked.out + blocked.err;
  EXPECT_EQ(blocked.exit_code, 4) << blocked.err;
  auto j = ParseJson(blocked.out);
  ASSERT_TRUE(j.ok()) << blocked.out;
  EXPECT_EQ((*j)["stop_reason"], "blocked");
  EXPECT_EQ((*j)["final_answer"], "");
}

TEST_P(HostileProviderTest, AnUpperCasedKeyInAnErrorIsRedacted) {
  Turn t = Run("echo-key-error");
  EXPECT_EQ(t.run.exit_code, 5) << t.run.err;
  EXPECT_NE(t.json.value("stop_detail", "").find("[REDACTED]"), std::string::npos)
      << t.json.value("stop_detail", "");
}

// Once wrapped to a negative wait and retried ten times in 0.9 s.
TEST_P(HostileProviderTest, AHugeRetryAfterIsNotWaitedForNorRetriedAtOnce) {
  const int64_t before = server_->requests("retry-after-huge");
  Turn t = Run("retry-after-huge");
  EXPECT_EQ(t.run.exit_code, 5) << t.run.err;
  EXPECT_EQ(Stop(t), "models_unavailable");
  EXPECT_EQ(server_->requests("retry-after-huge") - before, 1);
}

// Once deadline or models_unavailable at random.
TEST_P(HostileProviderTest, AnEndlessOrDrippingReplyEndsAtTheDeadlineAsDeadline) {
  for (const std::string behaviour : {"endless-sse", "slow-drip"}) {
    Turn t = Run(behaviour, "", 1);
    EXPECT_EQ(t.run.exit_code, 3) << behaviour << ": " << t.run.err;
    EXPECT_EQ(Stop(t), "deadline") << behaviour << ": " << t.json.value("stop_detail", "");
  }
}

// Once models_unavailable (exit 5), even after step 1 was answered.
TEST_P(HostileProviderTest, ADeadlineThatPassesDuringALaterModelCallEndsTheTurnAsDeadline) {
  Turn t = Run("tool-then-stall", "", 1.5);
  EXPECT_EQ(t.run.exit_code, 3) << t.run.err;
  EXPECT_EQ(Stop(t), "deadline") << t.json.value("stop_detail", "");
  EXPECT_EQ(t.json.value("steps", 0), 1);
  EXPECT_EQ(t.json["tool_calls"], Json::array({"calculator"}));
}

// Once the steps of two turns interleaved in the session's history.
TEST_P(HostileProviderTest, ASecondTurnOnABusySessionFailsClearlyInsteadOfInterleaving) {
  CliRun created = ReagentSplit("run " + CommonFlags("ok") + " --new-session", Env());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  std::string session = created.out.substr(0, created.out.find('\n'));
  // The first turn holds the session for its 2 s deadline against a server that never ends.
  const std::string first_cmd = Env() + " " + std::string(REAGENT_BIN) + " run " +
                                CommonFlags("endless-sse") + " --json --deadline 2 --session " +
                                session + " 'first' >" + dir_ + "/first.out 2>&1 &";
  ASSERT_EQ(std::system(first_cmd.c_str()), 0);
  // Wait until its turn has begun (the stream is running).
  const int64_t before = server_->requests("endless-sse");
  for (int i = 0; i < 200 && server_->requests("endless-sse") == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  CliRun second = ReagentSplit("run " + CommonFlags("ok") + " --json --session " + session + " 'second'", Env());
  outputs_ += second.out + second.err;
  EXPECT_EQ(second.exit_code, 1) << second.out << second.err;
  EXPECT_NE(second.err.find("is busy: another turn is running on it"), std::string::npos) << second.err;
  // Once the first has ended, the session takes turns again.
  for (int i = 0; i < 400 && ReadFile(dir_ + "/first.out").find("stop_reason") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  outputs_ += ReadFile(dir_ + "/first.out");
  CliRun third = ReagentSplit("run " + CommonFlags("ok") + " --json --session " + session + " 'third'", Env());
  EXPECT_EQ(third.exit_code, 0) << third.err;
}

// Once a truncated stream was `error` (exit 1) and a reset exit 5.
TEST_P(HostileProviderTest, ABrokenTransferIsRetriedThenModelsUnavailable) {
  for (const std::string behaviour : {"truncated-sse", "truncated-body", "reset"}) {
    const int64_t before = server_->requests(behaviour);
    Turn t = Run(behaviour);
    EXPECT_EQ(t.run.exit_code, 5) << behaviour << ": " << t.run.err;
    EXPECT_EQ(Stop(t), "models_unavailable") << behaviour;
    // Retried like any transport failure, unless the stream had already delivered text (a
    // retry would repeat it).
    EXPECT_EQ(server_->requests(behaviour) - before, behaviour == "truncated-sse" ? 1 : 3) << behaviour;
  }
}

// Once retried as a server error.
TEST_P(HostileProviderTest, ARedirectIsAnErrorNamingTheLocationAndIsNotRetried) {
  const int64_t before = server_->requests("redirect");
  Turn t = Run("redirect");
  EXPECT_EQ(t.run.exit_code, 5) << t.run.err;
  EXPECT_NE(t.json.value("stop_detail", "").find("redirected to http://elsewhere.invalid/v1/chat/completions"),
            std::string::npos)
      << t.json.value("stop_detail", "");
  EXPECT_EQ(server_->requests("redirect") - before, 1);
}

// Once all 10,000 ran.
TEST_P(HostileProviderTest, TenThousandToolCallsInOneReplyRunAtMostTheLimit) {
  Turn t = Run("many-tool-calls");
  EXPECT_EQ(t.run.exit_code, 0) << t.run.err;
  EXPECT_EQ(Stop(t), "final_answer");
  EXPECT_EQ(t.json["tool_calls"].size(), mode() == "tools" ? 16u : 1u);
}

// Once echoed whole to stderr.
TEST_P(HostileProviderTest, AHugeToolNameIsEchoedInBoundedLength) {
  CliRun run = ReagentSplit("run " + CommonFlags("huge-tool-name") + " -v 'go'", Env());
  outputs_ += run.out + run.err;
  EXPECT_LT(run.err.size(), 4000u) << run.err.substr(0, 300);
  EXPECT_NE(run.err.find("(102400 bytes)"), std::string::npos) << run.err.substr(0, 300);
}

TEST_P(HostileProviderTest, BatchItemsAgainstHostileRepliesFailCleanlyAndTheRestSucceed) {
  const std::string in = dir_ + "/items.jsonl", out = dir_ + "/results.jsonl";
  std::ofstream(in) << "{\"id\": \"a\", \"text\": \"What is 2+2?\"}\n{\"id\": \"b\", \"text\": \"Hi\"}\n";
  for (const std::string behaviour : {"huge-number", "truncated-body", "echo-key"}) {
    std::filesystem::remove(out);
    std::filesystem::remove(out + ".state.db");
    CliRun run = ReagentSplit("batch " + CommonFlags(behaviour) + " --in " + ShellQuote(in) +
                                  " --out " + ShellQuote(out) + " --deadline 20",
                              Env());
    outputs_ += run.out + run.err;
    const bool answers = behaviour == "echo-key";
    EXPECT_EQ(run.exit_code, answers ? 0 : 1) << behaviour << ": " << run.err;
    const std::string results = ReadFile(out);
    outputs_ += results;
    EXPECT_EQ(std::count(results.begin(), results.end(), '\n'), 2) << behaviour << ": " << results;
    EXPECT_EQ(results.find(answers ? "\"ok\":false" : "\"ok\":true"), std::string::npos)
        << behaviour << ": " << results;
  }
  ExpectBoundedMemory();
}

// Once counted ok with an empty answer.
TEST_P(HostileProviderTest, ABatchItemThatHitItsDeadlineWithoutAnAnswerFails) {
  const std::string in = dir_ + "/items.jsonl", out = dir_ + "/results.jsonl";
  std::ofstream(in) << "{\"id\": \"slow\", \"text\": \"What is 2+2?\"}\n";
  CliRun run = ReagentSplit("batch " + CommonFlags("endless-sse") + " --in " + ShellQuote(in) +
                                " --out " + ShellQuote(out) + " --deadline 1",
                            Env());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const std::string results = ReadFile(out);
  EXPECT_NE(results.find("\"ok\":false"), std::string::npos) << results;
  EXPECT_NE(results.find("\"stop_reason\":\"deadline\""), std::string::npos) << results;
}

// Once a failed item was never retried on resume.
TEST_P(HostileProviderTest, AFailedBatchItemIsTriedAgainWhenTheBatchIsRerun) {
  const std::string in = dir_ + "/items.jsonl", out = dir_ + "/results.jsonl";
  std::ofstream(in) << "{\"id\": \"x\", \"text\": \"Hi\"}\n";
  // fail-3-<mode>: the first 3 requests (one item's attempts) fail, the 4th succeeds.
  const std::string behaviour = "fail-3-" + mode();
  const std::string cmd = "batch " + CommonFlags(behaviour) + " --in " + ShellQuote(in) +
                          " --out " + ShellQuote(out);
  CliRun first = ReagentSplit(cmd, Env());
  EXPECT_EQ(first.exit_code, 1) << first.err;
  EXPECT_NE(ReadFile(out).find("\"ok\":false"), std::string::npos);
  CliRun second = ReagentSplit(cmd, Env());
  EXPECT_EQ(second.exit_code, 0) << second.err;
  const std::string results = ReadFile(out);
  EXPECT_NE(results.find("\"ok\":true"), std::string::npos) << results;
  EXPECT_EQ(std::count(results.begin(), results.end(), '\n'), 1) << results;
  EXPECT_EQ(server_->requests(behaviour), 4);
}

INSTANTIATE_TEST_SUITE_P(Modes, HostileProviderTest, ::testing::Values("react", "tools"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace reagent
