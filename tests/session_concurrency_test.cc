// Limits hold across threads and processes sharing one database file: two processes with
// three threads each hammer the same users. Turn holders count themselves in shared memory,
// so the test sees the true number of simultaneous turns; no SQLITE_BUSY may reach a caller.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/session/sqlite_session_store.h"

namespace reagent {
namespace {

constexpr int kProcesses = 2;
constexpr int kThreadsPerProcess = 3;
constexpr int kUsers = 2;

// Counters shared by all processes (an anonymous shared mapping made before fork).
struct Shared {
  std::atomic<int> running[kUsers];
  std::atomic<int> max_running[kUsers];
  std::atomic<int> granted[kUsers];
  std::atomic<int> rate_limited;
  std::atomic<int> busy;
  std::atomic<int> unexpected_errors;
};
static_assert(std::atomic<int>::is_always_lock_free, "atomics in shared memory must be lock-free");

class SessionConcurrencyTest : public ::testing::Test {
 protected:
  SessionConcurrencyTest() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "reagent-conc-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    shared_ = new (mem) Shared{};
  }
  ~SessionConcurrencyTest() override {
    munmap(shared_, sizeof(Shared));
    std::filesystem::remove_all(dir_);
  }

  // Runs `work(store)` on kThreadsPerProcess threads in each of kProcesses child processes.
  template <typename Work>
  void RunEverywhere(const SqliteSessionStoreOptions& options, Work work) {
    std::vector<pid_t> children;
    for (int p = 0; p < kProcesses; ++p) {
      pid_t child = fork();
      ASSERT_GE(child, 0);
      if (child == 0) {
        ManualClock clock;  // every process sees the same frozen instant
        auto store = OpenSqliteSessionStore(options, clock);
        if (!store.ok()) _exit(10);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreadsPerProcess; ++t) {
          threads.emplace_back([&, slot = p * kThreadsPerProcess + t] { work(**store, slot); });
        }
        for (auto& t : threads) t.join();
        _exit(0);
      }
      children.push_back(child);
    }
    for (pid_t child : children) {
      int status = 0;
      waitpid(child, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
    }
  }

  void Count(const Status& s) {
    if (s.code() == StatusCode::kRateLimited) {
      ++shared_->rate_limited;
    } else if (s.code() == StatusCode::kUnavailable && s.message().find("is busy") != std::string::npos) {
      ++shared_->busy;
    } else if (!s.ok()) {
      ++shared_->unexpected_errors;
      fprintf(stderr, "unexpected: %s\n", s.ToString().c_str());
    }
  }

  // Sessions of user u are ids[u * kSlots + slot], one per thread of every process (turns of
  // one session never overlap, so each thread works on its own).
  static constexpr int kSlots = kProcesses * kThreadsPerProcess;
  std::vector<std::string> CreateSessions(const SqliteSessionStoreOptions& options) {
    ManualClock clock;
    auto store = OpenSqliteSessionStore(options, clock);
    EXPECT_TRUE(store.ok()) << store.status();
    std::vector<std::string> ids;
    for (int u = 0; u < kUsers; ++u) {
      for (int slot = 0; slot < kSlots; ++slot) {
        ids.push_back((*store)->Create("user" + std::to_string(u))->id);
      }
    }
    return ids;
  }

  std::string dir_;
  Shared* shared_;
};

TEST_F(SessionConcurrencyTest, TwoProcessesNeverHoldMoreThanTheConcurrentTurnLimit) {
  SqliteSessionStoreOptions options{.path = dir_ + "/c.db",
                                    .store = {.max_concurrent_turns_per_user = 2, .max_requests_per_window = 0}};
  std::vector<std::string> ids = CreateSessions(options);
  RunEverywhere(options, [&](SessionStore& store, int slot) {
    for (int i = 0; i < 150; ++i) {
      int u = i % kUsers;
      const std::string& id = ids[static_cast<size_t>(u * kSlots + slot)];
      auto lease = store.BeginTurn(id);
      Count(lease.status());
      if (!lease.ok()) continue;
      int now = ++shared_->running[u];
      int prev = shared_->max_running[u].load();
      while (now > prev && !shared_->max_running[u].compare_exchange_weak(prev, now)) {}
      ++shared_->granted[u];
      Count(store.AppendStep(id, {.messages = {Message::User("hi")}}));
      --shared_->running[u];
    }
  });
  EXPECT_EQ(shared_->unexpected_errors.load(), 0) << "no SQLITE_BUSY or other error leaks";
  ManualClock clock;
  auto store = OpenSqliteSessionStore(options, clock);
  for (int u = 0; u < kUsers; ++u) {
    EXPECT_LE(shared_->max_running[u].load(), 2) << "user " << u;
    EXPECT_GE(shared_->max_running[u].load(), 1);
    int64_t steps = 0;
    for (int slot = 0; slot < kSlots; ++slot) {
      steps += (*store)->GetInfo(ids[static_cast<size_t>(u * kSlots + slot)])->step_count;
    }
    EXPECT_EQ(steps, shared_->granted[u].load());
    EXPECT_EQ(*(*store)->RunningTurns("user" + std::to_string(u)), 0);
  }
  EXPECT_EQ(shared_->granted[0] + shared_->granted[1] + shared_->rate_limited,
            kProcesses * kThreadsPerProcess * 150);
}

TEST_F(SessionConcurrencyTest, TwoProcessesTogetherGetExactlyTheWindowsWorthOfRequests) {
  constexpr int kPerWindow = 40;
  SqliteSessionStoreOptions options{.path = dir_ + "/w.db",
                                    .store = {.max_concurrent_turns_per_user = 0, .max_requests_per_window = kPerWindow}};
  std::vector<std::string> ids = CreateSessions(options);
  RunEverywhere(options, [&](SessionStore& store, int slot) {
    for (int i = 0; i < 60; ++i) {
      int u = i % kUsers;
      auto lease = store.BeginTurn(ids[static_cast<size_t>(u * kSlots + slot)]);
      Count(lease.status());
      if (lease.ok()) ++shared_->granted[u];
    }
  });
  EXPECT_EQ(shared_->unexpected_errors.load(), 0);
  // 2 processes x 3 threads x 30 attempts per user = 180 attempts, 40 allowed in the window.
  EXPECT_EQ(shared_->granted[0].load(), kPerWindow);
  EXPECT_EQ(shared_->granted[1].load(), kPerWindow);
  EXPECT_EQ(shared_->rate_limited.load(), 2 * (kProcesses * kThreadsPerProcess * 30 - kPerWindow));
}

TEST_F(SessionConcurrencyTest, TurnsOnOneSessionNeverOverlapAcrossProcessesAndThreads) {
  SqliteSessionStoreOptions options{.path = dir_ + "/one.db",
                                    .store = {.max_concurrent_turns_per_user = 0, .max_requests_per_window = 0}};
  std::vector<std::string> ids = CreateSessions(options);
  const std::string shared_session = ids[0];
  RunEverywhere(options, [&](SessionStore& store, int) {
    for (int i = 0; i < 60; ++i) {
      auto lease = store.BeginTurn(shared_session);
      Count(lease.status());
      if (!lease.ok()) continue;
      int now = ++shared_->running[0];
      int prev = shared_->max_running[0].load();
      while (now > prev && !shared_->max_running[0].compare_exchange_weak(prev, now)) {}
      ++shared_->granted[0];
      Count(store.AppendStep(shared_session, {.messages = {Message::User("hi")}}));
      --shared_->running[0];
    }
  });
  EXPECT_EQ(shared_->unexpected_errors.load(), 0);
  EXPECT_EQ(shared_->max_running[0].load(), 1) << "two turns of one session ran at once";
  EXPECT_EQ(shared_->granted[0] + shared_->busy, kProcesses * kThreadsPerProcess * 60);
  ManualClock clock;
  auto store = OpenSqliteSessionStore(options, clock);
  EXPECT_EQ((*store)->GetInfo(shared_session)->step_count, shared_->granted[0].load());
}

}  // namespace
}  // namespace reagent
