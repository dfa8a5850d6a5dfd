// A process killed mid-turn leaves a consistent session: a child runs a long agent turn over a
// real SQLite file and reports each committed step through a pipe; the parent SIGKILLs it at
// a random moment; the file then opens cleanly and holds every reported step, whole.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "reagent/agent/agent.h"
#include "reagent/agent/history_trimmer.h"
#include "reagent/llm/scripted_model.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

constexpr int kSteps = 400;  // far more than a child lives

class PipeReporter final : public AgentObserver {
 public:
  explicit PipeReporter(int fd) : fd_(fd) {}
  void OnEvent(const AgentEvent& e) override {
    // kStepFinished is emitted after the step's commit returned.
    if (e.kind == AgentEvent::Kind::kStepFinished) {
      const char byte = 1;
      if (::write(fd_, &byte, 1) != 1) _exit(3);
    }
  }

 private:
  int fd_;
};

// The child: one long turn on `session`, reporting each stored step.
[[noreturn]] void RunChild(const std::string& db, const std::string& session, int fd) {
  ManualClock clock;
  auto store = OpenSqliteSessionStore({.path = db, .synchronous = SqliteSync::kNormal}, clock);
  if (!store.ok()) _exit(2);
  std::shared_ptr<SessionStore> sessions = std::move(*store);
  nlohmann::json replies = nlohmann::json::array();
  for (int i = 0; i < kSteps; ++i) {
    replies.push_back({{"content", "Thought: again\nAction: echo\nAction Input: step " + std::to_string(i)},
                       {"usage", {{"prompt_tokens", 100}, {"completion_tokens", 10}}}});
  }
  auto model = ScriptedModel::Create("gpt-4.1", replies, clock);
  if (!model.ok()) _exit(2);
  auto tools = std::make_shared<ToolRegistry>();
  (void)tools->Register(MakeTool(
      {.name = "echo", .description = "Echoes its input",
       .parameters = {{"type", "object"}, {"properties", {{"text", {{"type", "string"}}}}}},
       .limits = {.timeout = Duration::zero()}},
      [](const nlohmann::json& args, const ToolContext&) {
        return ToolResult::Text("echo: " + args.value("text", ""));
      }));
  auto agent = Agent::Create({.max_steps = kSteps},
                             {.model = std::shared_ptr<ChatModel>(std::move(*model)),
                              .sanitizer = *Sanitizer::Create(),
                              .sessions = sessions,
                              .tools = tools,
                              .clock = &clock});
  if (!agent.ok()) _exit(2);
  PipeReporter reporter(fd);
  (void)(*agent)->Run(session, "Keep echoing", &reporter);
  _exit(0);
}

TEST(AgentCrash, KilledMidTurnLeavesEveryReportedStepWhole) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("reagent_agent_crash_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "sessions.db").string();
  std::mt19937 rng(std::random_device{}());
  ManualClock clock;

  constexpr int kKills = 8;
  for (int round = 0; round < kKills; ++round) {
    std::string session;
    {
      auto store = OpenSqliteSessionStore({.path = db}, clock);
      ASSERT_TRUE(store.ok()) << store.status();
      session = (*store)->Create("crash")->id;
    }
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(db, session, fds[1]);
    }
    ::close(fds[1]);
    // Let it commit a random number of steps, then kill it without warning.
    const int wait_for = std::uniform_int_distribution<int>(1, 40)(rng);
    int acked = 0;
    char byte;
    while (acked < wait_for && ::read(fds[0], &byte, 1) == 1) ++acked;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    while (::read(fds[0], &byte, 1) == 1) ++acked;  // steps reported before the kill landed
    ::close(fds[0]);
    ASSERT_TRUE(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
        << "child failed with status " << status;

    auto store = OpenSqliteSessionStore({.path = db, .verify_on_open = true}, clock);
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status();
    auto s = (*store)->Load(session);
    ASSERT_TRUE(s.ok()) << s.status();
    auto steps = (*store)->Steps(session);
    ASSERT_TRUE(steps.ok());
    EXPECT_GE(static_cast<int>(steps->size()), acked) << "round " << round;
    // Whole steps only: the user's message, then (action, observation) pairs.
    const auto& m = s->messages;
    ASSERT_FALSE(m.empty());
    EXPECT_EQ(m[0], Message::User("Keep echoing"));
    EXPECT_EQ(m.size(), 1 + 2 * steps->size()) << "round " << round;
    for (size_t i = 1; i + 1 < m.size(); i += 2) {
      EXPECT_EQ(m[i].role, Role::kAssistant);
      EXPECT_TRUE(IsObservationMessage(m[i + 1])) << m[i + 1].content;
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace reagent
