// `reagent repl` driven through a pseudo-terminal, as a person would use it.
#include <gtest/gtest.h>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "reagent/mockllm/mock_llm_server.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

class Pty {
 public:
  Pty(const std::vector<std::string>& argv) {
    pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      setenv("NO_COLOR", "1", 1);
      setenv("TERM", "dumb", 1);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Pty() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  void Send(const std::string& s) { ASSERT_EQ(write(fd_, s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  // Reads until `needle` appears in the output after position `from` (or 20 s pass).
  bool WaitFor(const std::string& needle, size_t from = 0) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (screen_.find(needle, from) != std::string::npos) return true;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        char buf[4096];
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n <= 0) break;
        screen_.append(buf, static_cast<size_t>(n));
      }
    }
    return screen_.find(needle, from) != std::string::npos;
  }
  // Waits up to 20 s for the process to exit, reading its output meanwhile.
  int Wait() {
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) > 0) {
        char buf[4096];
        ssize_t n = read(fd_, buf, sizeof buf);
        if (n > 0) screen_.append(buf, static_cast<size_t>(n));
        if (n <= 0) usleep(10000);  // the pty is closed: the process is exiting
      }
    }
    return -2;
  }
  const std::string& screen() const { return screen_; }

 private:
  int fd_ = -1;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string screen_;
};

class CliReplTest : public ::testing::Test {
 protected:
  void Start(mockllm::MockLlmOptions options = {}) {
    server_ = std::make_unique<mockllm::MockLlmServer>(options);
    ASSERT_TRUE(server_->Start().ok());
    dir_ = testing::MakeTempDir("cli-repl");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    testing::RemoveTree(dir_);
  }
  std::vector<std::string> Argv() {
    return {REAGENT_BIN, "repl", "--base-url", server_->base_url(), "-m", "gpt-4.1", "--db",
            dir_ + "/s.db", "--history-file", dir_ + "/history"};
  }
  std::unique_ptr<mockllm::MockLlmServer> server_;
  std::string dir_;
};

TEST_F(CliReplTest, AnswersStreamsAndRunsSlashCommands) {
  Start();
  Pty pty(Argv());
  ASSERT_TRUE(pty.WaitFor("reagent> ")) << pty.screen();
  size_t mark = pty.screen().size();
  pty.Send("What is 6*7?\r");
  ASSERT_TRUE(pty.WaitFor("stop final_answer", mark)) << pty.screen();
  EXPECT_NE(pty.screen().find("42", mark), std::string::npos) << pty.screen();
  mark = pty.screen().size();
  pty.Send("/tools\r");
  ASSERT_TRUE(pty.WaitFor("calculator:", mark)) << pty.screen();
  mark = pty.screen().size();
  pty.Send("/history\r");
  ASSERT_TRUE(pty.WaitFor("What is 6*7?", mark)) << pty.screen();
  mark = pty.screen().size();
  pty.Send("/frobnicate\r");
  ASSERT_TRUE(pty.WaitFor("unknown command /frobnicate", mark)) << pty.screen();
  pty.Send("/exit\r");
  EXPECT_EQ(pty.Wait(), 0) << pty.screen();
}

TEST_F(CliReplTest, CtrlCCancelsTheTurnAndCtrlDExits) {
  mockllm::MockLlmOptions slow;
  slow.latency_ms = 3000;  // the turn is still running when Ctrl-C arrives
  Start(slow);
  Pty pty(Argv());
  ASSERT_TRUE(pty.WaitFor("reagent> ")) << pty.screen();
  size_t mark = pty.screen().size();
  pty.Send("What is 6*7?\r");
  ASSERT_TRUE(pty.WaitFor("What is 6*7?", mark));
  pty.Send("\x03");
  ASSERT_TRUE(pty.WaitFor("cancelling the turn", mark)) << pty.screen();
  ASSERT_TRUE(pty.WaitFor("stop cancelled", mark)) << pty.screen();
  ASSERT_TRUE(pty.WaitFor("reagent> ", pty.screen().find("stop cancelled", mark))) << pty.screen();
  pty.Send("\x04");
  EXPECT_EQ(pty.Wait(), 0) << pty.screen();
}

TEST_F(CliReplTest, TwoCtrlCAtAnEmptyPromptExit) {
  Start();
  Pty pty(Argv());
  ASSERT_TRUE(pty.WaitFor("reagent> ")) << pty.screen();
  pty.Send("\x03");
  ASSERT_TRUE(pty.WaitFor("Ctrl-C again")) << pty.screen();
  pty.Send("\x03");
  EXPECT_EQ(pty.Wait(), 0) << pty.screen();
}

}  // namespace
}  // namespace reagent
