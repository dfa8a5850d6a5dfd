// `reagent repl` driven through a pseudo-terminal, as a person would use it.
#include <gtest/gtest.h>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "reagent/mockllm/mock_llm_server.h"
#include "support/pty.h"
#include "support/reagent_process.h"

namespace reagent {
namespace {

using testing::Pty;

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

// On a fresh machine there is no ~/.reagent_history yet: the first line creates it, and the
// next session recalls the lines of the last one.
TEST_F(CliReplTest, HistoryIsWrittenToAFreshHomeAndRecalled) {
  Start();
  const std::string home = dir_ + "/home";
  std::filesystem::create_directories(home);
  std::vector<std::string> argv = {"/usr/bin/env", "HOME=" + home, REAGENT_BIN, "repl", "--base-url",
                                   server_->base_url(), "-m", "gpt-4.1", "--db", dir_ + "/s.db"};
  {
    Pty pty(argv);
    ASSERT_TRUE(pty.WaitFor("reagent> ")) << pty.screen();
    pty.Send("What is 6*7?\r");
    ASSERT_TRUE(pty.WaitFor("stop final_answer")) << pty.screen();
    pty.Send("/exit\r");
    EXPECT_EQ(pty.Wait(), 0) << pty.screen();
  }
  std::ifstream history(home + "/.reagent_history");
  ASSERT_TRUE(history) << "~/.reagent_history was not created";
  std::string text((std::istreambuf_iterator<char>(history)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("What is 6*7?"), std::string::npos) << text;
  EXPECT_NE(text.find("/exit"), std::string::npos) << text;

  Pty again(argv);
  ASSERT_TRUE(again.WaitFor("reagent> ")) << again.screen();
  size_t mark = again.screen().size();
  again.Send("\x10\x10\r");  // Ctrl-P twice: back past "/exit" to the question, and run it
  EXPECT_TRUE(again.WaitFor("stop final_answer", mark)) << again.screen();
  again.Send("/exit\r");
  EXPECT_EQ(again.Wait(), 0) << again.screen();
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
