// `reagent repl` driven through a pseudo-terminal, as a person would use it.
#include <gtest/gtest.h>

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
