// Several `reagent` processes — replicas — sharing one real redis-server: sessions, per-user
// limits, turn leases, provider pacing, and a Redis restart in the middle of a batch. Each
// process is the real binary, configured only through its reagent.json.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "reagent/core/json.h"
#include "reagent/mockllm/mock_llm_server.h"
#include "reagent/redis/redis_client.h"
#include "redis_server.h"
#include "support/pty.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

using testing::CliRun;
using testing::Pty;
using testing::ShellQuote;

// A child `reagent` process whose pid we keep (to SIGKILL it) and whose output goes to files.
struct Child {
  pid_t pid = -1;
  std::string out_path;
};

Child Spawn(const std::vector<std::string>& args, const std::string& out_path) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::fopen(out_path.c_str(), "w");
    if (out) {
      dup2(fileno(out), STDOUT_FILENO);
      dup2(fileno(out), STDERR_FILENO);
    }
    setenv("OPENAI_API_KEY", "", 1);
    setenv("NO_COLOR", "1", 1);
    testing::ExecReagent(args);
  }
  return {pid, out_path};
}

int Wait(const Child& c) {
  int status = 0;
  waitpid(c.pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

template <typename Pred>
bool WaitFor(Pred done, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

class RedisReplicasTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis = RedisServer::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = std::move(*redis);
    dir_ = testing::MakeTempDir("redis-replicas");
  }
  void TearDown() override { testing::RemoveTree(dir_); }

  // A replica's reagent.json: sessions (and optionally pacing) in Redis, the model at `base_url`.
  std::string Config(const std::string& name, const std::string& base_url, Json sessions = Json::object(),
                     Json extra = Json::object()) {
    sessions["backend"] = redis_->url();
    Json config = {{"models", {{{"model", "gpt-4.1"}, {"base_url", base_url}}}},
                   {"agent", {{"user", "alice"}}},
                   {"sessions", sessions},
                   {"redis", {{"prefix", "replicas"}, {"lease_ttl_s", 1}, {"connect_timeout_s", 0.5},
                              {"command_timeout_s", 1}}}};
    config.merge_patch(extra);
    const std::string path = dir_ + "/" + name + ".json";
    std::ofstream(path) << config.dump(2);
    return path;
  }

  CliRun Run(const std::string& config, const std::string& args) {
    return testing::ReagentSplit("run --config " + config + " " + args, "NO_COLOR=1 OPENAI_API_KEY=");
  }

  std::unique_ptr<RedisServer> redis_;
  std::string dir_;
};

TEST_F(RedisReplicasTest, ASessionStartedOnOneReplicaIsContinuedOnTheOther) {
  mockllm::MockLlmServer model;
  ASSERT_TRUE(model.Start().ok());
  const std::string a = Config("a", model.base_url());
  const std::string b = Config("b", model.base_url());

  CliRun first = Run(a, "--json " + ShellQuote("What is 17*23?"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto j = ParseJson(first.out);
  ASSERT_TRUE(j.ok()) << first.out;
  const std::string session = (*j)["session_id"];
  EXPECT_EQ((*j)["final_answer"], "391");

  CliRun second = Run(b, "--json --session " + session + " " + ShellQuote("What is 2*21?"));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ((*ParseJson(second.out))["final_answer"], "42");

  // Either replica's view (and `reagent sessions` against Redis) holds both turns.
  CliRun shown = testing::ReagentSplit("sessions show " + session + " --json --db " + ShellQuote(redis_->url()) +
                                       " --prefix replicas");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("17*23"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("2*21"), std::string::npos) << shown.out;
  CliRun listed = testing::ReagentSplit("sessions list --db " + ShellQuote(redis_->url()) + " --prefix replicas");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(session), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("1 session(s)"), std::string::npos) << listed.out;
}

TEST_F(RedisReplicasTest, TwentyParallelRequestsOfOneUserAdmitExactlyTheLimit) {
  mockllm::MockLlmServer model;
  ASSERT_TRUE(model.Start().ok());
  const Json limits = {{"requests_per_minute", 7}, {"max_concurrent_per_user", 20}};
  const std::string configs[2] = {Config("a", model.base_url(), limits), Config("b", model.base_url(), limits)};
  std::vector<Child> children;
  for (int i = 0; i < 20; ++i) {
    children.push_back(Spawn({"run", "--config", configs[i % 2], "--quiet", "What is 6*7?"},
                             dir_ + "/run" + std::to_string(i) + ".out"));
  }
  int admitted = 0, limited = 0;
  for (const Child& c : children) {
    const int code = Wait(c);
    const std::string out = Slurp(c.out_path);
    if (code == 0) {
      ++admitted;
    } else if (out.find("rate_limited: user 'alice' made 7 requests in the last 60 s") != std::string::npos) {
      ++limited;
    } else {
      ADD_FAILURE() << "exit " << code << ": " << out;
    }
  }
  EXPECT_EQ(admitted, 7);
  EXPECT_EQ(limited, 13);
}

TEST_F(RedisReplicasTest, AReplicaKilledMidTurnLosesItsLeaseAndTheSessionIsUsableAgain) {
  mockllm::MockLlmOptions slow_options;
  slow_options.latency_ms = 20000;  // the turn is in its model call when the kill lands
  mockllm::MockLlmServer slow(slow_options), fast;
  ASSERT_TRUE(slow.Start().ok());
  ASSERT_TRUE(fast.Start().ok());
  const Json one = {{"max_concurrent_per_user", 1}};
  const std::string doomed = Config("doomed", slow.base_url(), one);
  const std::string survivor = Config("survivor", fast.base_url(), one);

  CliRun created = Run(survivor, "--new-session");
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string session = created.out.substr(0, created.out.find('\n'));

  Child victim = Spawn({"run", "--config", doomed, "--session", session, "What is 1+1?"}, dir_ + "/victim.out");
  ASSERT_TRUE(WaitFor([&] { return slow.counters().requests >= 1; }, std::chrono::seconds(20)))
      << Slurp(victim.out_path);
  CliRun busy = Run(survivor, "--session " + session + " " + ShellQuote("What is 3*3?"));
  EXPECT_EQ(busy.exit_code, 1) << "the victim's turn holds the session";
  EXPECT_NE(busy.err.find("is busy: another turn is running on it"), std::string::npos) << busy.err;

  ::kill(victim.pid, SIGKILL);
  Wait(victim);
  const auto killed_at = std::chrono::steady_clock::now();
  CliRun after;
  ASSERT_TRUE(WaitFor([&] {
    after = Run(survivor, "--json --session " + session + " " + ShellQuote("What is 3*3?"));
    return after.exit_code == 0;
  }, std::chrono::seconds(10))) << after.err;
  const auto recovered_in = std::chrono::steady_clock::now() - killed_at;
  EXPECT_LT(recovered_in, std::chrono::seconds(4)) << "within the 1 s lease TTL plus a run's start-up";
  EXPECT_EQ((*ParseJson(after.out))["final_answer"], "9");
}

// The provider allows 600 requests a minute (`mock-llm --rpm 20 --rate-window 2`: the same
// 10 a second, with the window shortened so the test takes seconds). Two batch replicas
// each paced to 90 % of it: sharing the buckets in Redis they stay under it together; each
// with its own buckets, together they exceed it and draw 429s.
struct PacedRun {
  int exit_a = -1, exit_b = -1;
  int64_t requests = 0, ok = 0, rate_limited = 0;
  std::string totals;
};

class RedisPacingTest : public RedisReplicasTest {
 protected:
  PacedRun TwoBatches(bool shared) {
    const std::string tag = shared ? "shared" : "own";
    Child mock = Spawn({"mock-llm", "--port", "0", "--quiet", "--rpm", "20", "--rate-window", "2"},
                       dir_ + "/mock-" + tag + ".out");
    std::string port;
    EXPECT_TRUE(WaitFor([&] {
      const std::string out = Slurp(mock.out_path);
      if (out.find('\n') == std::string::npos) return false;
      port = out.substr(0, out.find('\n'));
      return true;
    }, std::chrono::seconds(10)));
    Json limiter = {{"rpm", 18}, {"period_s", 2}};
    if (shared) limiter["shared"] = redis_->url();
    const Json extra = {{"limiter", limiter}};
    const Json sessions = {{"requests_per_minute", 100000}};
    std::vector<Child> batches;
    for (const char* replica : {"a", "b"}) {
      const std::string name = tag + "-" + replica;
      std::ofstream in(dir_ + "/" + name + ".jsonl");
      for (int i = 0; i < 15; ++i) in << R"({"id": ")" << replica << i << R"(", "text": "What is )" << i << "+1?\"}\n";
      in.close();
      const std::string config = Config(name, "http://127.0.0.1:" + port + "/v1", sessions, extra);
      batches.push_back(Spawn({"batch", "--config", config, "--no-agent", "-j", "8", "--in", dir_ + "/" + name + ".jsonl",
                               "--out", dir_ + "/" + name + ".out.jsonl", "--progress-interval", "60"},
                              dir_ + "/" + name + ".log"));
    }
    PacedRun r;
    r.exit_a = Wait(batches[0]);
    r.exit_b = Wait(batches[1]);
    ::kill(mock.pid, SIGTERM);
    Wait(mock);
    const std::string totals = Slurp(mock.out_path);
    std::smatch m;
    auto count = [&](const char* key) -> int64_t {
      const std::regex re(std::string(key) + "=([0-9]+)");
      return std::regex_search(totals, m, re) ? std::stoll(m[1]) : -1;
    };
    r.requests = count("requests");
    r.ok = count("ok");
    r.rate_limited = count("rate_limited");
    r.totals = totals;
    EXPECT_NE(r.requests, -1) << totals;
    return r;
  }
};

TEST_F(RedisPacingTest, TwoReplicasPacedThroughRedisStayUnderTheProvidersLimitTogether) {
  const PacedRun shared = TwoBatches(/*shared=*/true);
  EXPECT_EQ(shared.exit_a, 0) << Slurp(dir_ + "/shared-a.log");
  EXPECT_EQ(shared.exit_b, 0) << Slurp(dir_ + "/shared-b.log");
  EXPECT_EQ(shared.ok, 30);
  EXPECT_EQ(shared.rate_limited, 0) << "no 429 with one shared pace";

  // The same two replicas, each pacing alone, together exceed the limit: the check above can fail.
  const PacedRun own = TwoBatches(/*shared=*/false);
  EXPECT_GT(own.rate_limited, 0) << "separate buckets draw 429s: " << own.totals;
}

// One long-running replica (the REPL) across a Redis crash and restart: the turn during the
// outage fails with an error naming Redis, and the next one, in the same process and the
// same session, works — with the history from before the crash (append-only file).
TEST_F(RedisReplicasTest, RedisRestartedMidRunGivesAClearErrorThenRecoversWithoutRestartingReagent) {
  mockllm::MockLlmServer model;
  ASSERT_TRUE(model.Start().ok());
  const std::string config = Config("repl", model.base_url());
  Pty pty({REAGENT_BIN, "repl", "--config", config, "--history-file", dir_ + "/history"});
  ASSERT_TRUE(pty.WaitFor("reagent> ")) << pty.screen();
  size_t mark = pty.screen().size();
  pty.Send("What is 6*7?\r");
  ASSERT_TRUE(pty.WaitFor("stop final_answer", mark)) << pty.screen();

  redis_->Kill();
  mark = pty.screen().size();
  pty.Send("What is 2*3?\r");
  ASSERT_TRUE(pty.WaitFor("error: unavailable: session store: redis unix://", mark)) << pty.screen();
  EXPECT_NE(pty.screen().find("is unreachable", mark), std::string::npos) << pty.screen();
  ASSERT_TRUE(pty.WaitFor("reagent> ", mark)) << pty.screen();

  ASSERT_TRUE(redis_->Restart().ok());
  // The client's reconnect backoff (at most 2 s) may still run when the next turn starts.
  bool recovered = false;
  for (int attempt = 0; attempt < 10 && !recovered; ++attempt) {
    mark = pty.screen().size();
    pty.Send("What is 5*5?\r");
    // The turn's own end (its answer or its error), then the prompt after it: a prompt seen
    // earlier may be readline redrawing the line being typed.
    const size_t ended = pty.WaitForAny({"stop final_answer", "error: "}, mark);
    ASSERT_NE(ended, std::string::npos) << pty.screen();
    ASSERT_TRUE(pty.WaitFor("reagent> ", ended)) << pty.screen();
    recovered = pty.screen().compare(ended, 4, "stop") == 0;
    if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  ASSERT_TRUE(recovered) << pty.screen();
  EXPECT_NE(pty.screen().find("25", mark), std::string::npos) << pty.screen();
  mark = pty.screen().size();
  pty.Send("/history\r");
  // The listing arrives in pieces: wait for the turn from before the crash itself.
  ASSERT_TRUE(pty.WaitFor("What is 6*7?", mark)) << "the turn from before the crash:\n" << pty.screen();
  ASSERT_TRUE(pty.WaitFor("What is 5*5?", mark)) << pty.screen();
  pty.Send("/exit\r");
  EXPECT_EQ(pty.Wait(), 0) << pty.screen();
}

TEST_F(RedisReplicasTest, WithRedisDownATurnDoesNotStartAndTheErrorNamesRedis) {
  mockllm::MockLlmServer model;
  ASSERT_TRUE(model.Start().ok());
  const std::string config = Config("down", model.base_url());
  redis_->Kill();
  CliRun r = Run(config, ShellQuote("What is 17*23?"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("sessions.backend: redis unix://"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is unreachable"), std::string::npos) << r.err;
  EXPECT_EQ(model.counters().requests, 0) << "nothing was sent or spent";
}

}  // namespace
}  // namespace reagent
