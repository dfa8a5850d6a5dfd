// Durability with real processes: a child appends steps in a loop and acknowledges each one
// over a pipe once AppendStep returned OK; the parent SIGKILLs it at a random moment, then
// checks that the file passes PRAGMA integrity_check, holds every acknowledged step, holds
// no half-written step, and that the dead child's turn no longer counts.
//
// synchronous=FULL promises this against power loss; synchronous=NORMAL (WAL) promises it
// against process death, which is what SIGKILL tests (a power cut cannot be simulated here).
// REAGENT_CRASH_ROUNDS overrides the number of kills per mode (bench/session_crash_soak.sh).
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/session/sqlite_session_store.h"

namespace reagent {
namespace {

constexpr int kDefaultRounds = 12;
constexpr int kMessagesPerStep = 2;

int Rounds() {
  const char* env = std::getenv("REAGENT_CRASH_ROUNDS");
  return env != nullptr ? std::max(1, std::atoi(env)) : kDefaultRounds;
}

std::string IntegrityCheck(const std::string& path) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  sqlite3_stmt* stmt = nullptr;
  std::string out = "(no answer)";
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

SqliteSessionStoreOptions StoreOptions(const std::string& path, SqliteSync sync) {
  return {.path = path, .store = {.max_requests_per_window = 0}, .synchronous = sync};
}

// The child: holds a turn and appends steps until killed, acknowledging each on `ack_fd`.
[[noreturn]] void AppendUntilKilled(const std::string& path, SqliteSync sync, const std::string& session_id,
                                    int ack_fd) {
  SystemClock clock;
  auto store = OpenSqliteSessionStore(StoreOptions(path, sync), clock);
  if (!store.ok()) _exit(10);
  auto info = (*store)->GetInfo(session_id);
  if (!info.ok()) _exit(11);
  auto lease = (*store)->BeginTurn(session_id);
  if (!lease.ok()) _exit(12);
  for (int64_t step = info->step_count + 1;; ++step) {
    StepRecord record{.messages = {Message::User("question " + std::to_string(step)),
                                   Message::Assistant("answer " + std::to_string(step))},
                      .model = "crash-test"};
    record.usage = {10, 5, 0, 0.001};
    if (!(*store)->AppendStep(session_id, record).ok()) _exit(13);
    if (write(ack_fd, &step, sizeof step) != sizeof step) _exit(14);
  }
}

class SessionCrashTest : public ::testing::TestWithParam<SqliteSync> {
 protected:
  SessionCrashTest() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "reagent-crash-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
  }
  ~SessionCrashTest() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_P(SessionCrashTest, EveryAcknowledgedStepSurvivesSigkillAndTheFileStaysIntact) {
  const std::string path = dir_ + "/crash.db";
  SystemClock clock;
  std::string session_id;
  {
    auto store = OpenSqliteSessionStore(StoreOptions(path, GetParam()), clock);
    ASSERT_TRUE(store.ok()) << store.status();
    session_id = (*store)->Create("crash-user")->id;
  }
  std::mt19937 rng(20251123);
  int64_t acknowledged = 0;
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      AppendUntilKilled(path, GetParam(), session_id, fds[1]);
    }
    close(fds[1]);
    // Let it commit a random number of steps, then kill it at a random moment after that,
    // usually in the middle of the next transaction.
    int acks_before_kill = std::uniform_int_distribution<int>(1, 40)(rng);
    for (int i = 0; i < acks_before_kill; ++i) {
      int64_t step = 0;
      if (read(fds[0], &step, sizeof step) != sizeof step) break;
      ASSERT_EQ(step, acknowledged + 1) << "acknowledgements arrive in order";
      acknowledged = step;
    }
    int spin = std::uniform_int_distribution<int>(0, 20000)(rng);
    volatile int sink = 0;
    for (int i = 0; i < spin; ++i) sink = sink + 1;
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    // Acknowledgements already in the pipe were given before the kill: they count too.
    int64_t step = 0;
    while (read(fds[0], &step, sizeof step) == sizeof step) acknowledged = step;
    close(fds[0]);

    ASSERT_EQ(IntegrityCheck(path), "ok") << "round " << round;
    auto store = OpenSqliteSessionStore(StoreOptions(path, GetParam()), clock);
    ASSERT_TRUE(store.ok()) << store.status();
    auto session = (*store)->Load(session_id);
    ASSERT_TRUE(session.ok()) << session.status();
    const SessionInfo& info = session->info;
    ASSERT_GE(info.step_count, acknowledged) << "round " << round << ": an acknowledged step was lost";
    ASSERT_LE(info.step_count, acknowledged + 1) << "at most the unacknowledged step in flight";
    ASSERT_EQ(static_cast<int64_t>(session->messages.size()), info.step_count * kMessagesPerStep)
        << "no half-written step";
    for (int64_t s = 1; s <= info.step_count; ++s) {
      ASSERT_EQ(session->messages[(s - 1) * kMessagesPerStep].content, "question " + std::to_string(s));
      ASSERT_EQ(session->messages[(s - 1) * kMessagesPerStep + 1].content, "answer " + std::to_string(s));
    }
    ASSERT_EQ(info.usage.prompt_tokens, 10 * info.step_count);
    ASSERT_EQ(*(*store)->RunningTurns("crash-user"), 0) << "the dead child's turn is released";
    acknowledged = info.step_count;  // the step in flight may have committed unacknowledged
  }
  EXPECT_GT(acknowledged, rounds) << "children made progress";
}

INSTANTIATE_TEST_SUITE_P(Synchronous, SessionCrashTest, ::testing::Values(SqliteSync::kFull, SqliteSync::kNormal),
                         [](const auto& p) { return p.param == SqliteSync::kFull ? "Full" : "Normal"; });

}  // namespace
}  // namespace reagent
