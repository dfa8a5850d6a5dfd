// `reagent mock-llm` as a user runs it: a real process that prints its port, serves the real
// client, and prints totals when it gets SIGTERM or SIGINT.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/llm/openai_chat_model.h"

namespace reagent {
namespace {

struct Child {
  pid_t pid = -1;
  int out_fd = -1;
};

Child Spawn(const std::vector<std::string>& args) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDERR_FILENO);
    close(pipe_fds[0]);
    std::vector<char*> argv;
    std::string bin = REAGENT_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(REAGENT_BIN, argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  return {pid, pipe_fds[0]};
}

std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

int Wait(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

ChatRequest Ask(std::string text) {
  ChatRequest r;
  r.messages = {Message::System("Tools: calculator"), Message::User(std::move(text))};
  return r;
}

TEST(MockLlmCli, PrintsThePortServesTheClientAndPrintsTotalsOnSigterm) {
  Child child = Spawn({"mock-llm", "--port", "0", "--quiet", "--require-key", "sk-cli-test-key-123456789"});
  std::string port = ReadLine(child.out_fd);
  ASSERT_FALSE(port.empty());
  ASSERT_GT(std::stoi(port), 0);
  auto model = OpenAIChatModel::Create({.model = "gpt-4.1",
                                        .base_url = "http://127.0.0.1:" + port + "/v1",
                                        .api_key = "sk-cli-test-key-123456789"});
  ASSERT_TRUE(model.ok());
  ChatResult r = (*model)->Complete(Ask("What is 17*23?"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->content, "Thought: I need to compute 17*23.\nAction: calculator\nAction Input: 17*23");
  ChatResult streamed = (*model)->Stream(Ask("What is 2+2?"), {});
  ASSERT_TRUE(streamed.ok());
  kill(child.pid, SIGTERM);
  std::string rest = ReadAll(child.out_fd);
  close(child.out_fd);
  EXPECT_EQ(Wait(child.pid), 0);
  EXPECT_NE(rest.find("mock-llm totals (SIGTERM): requests=2 ok=2 streamed=1"), std::string::npos) << rest;
}

TEST(MockLlmCli, SigintAlsoPrintsTotals) {
  Child child = Spawn({"mock-llm", "--port", "0", "--quiet"});
  ASSERT_FALSE(ReadLine(child.out_fd).empty());
  kill(child.pid, SIGINT);
  std::string rest = ReadAll(child.out_fd);
  close(child.out_fd);
  EXPECT_EQ(Wait(child.pid), 0);
  EXPECT_NE(rest.find("mock-llm totals (SIGINT): requests=0"), std::string::npos) << rest;
}

TEST(MockLlmCli, ScriptFileIsReplayed) {
  std::string path = std::string(REAGENT_BINARY_DIR) + "/llm_mock_cli_script.json";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(R"({"models": {"gpt-4.1": [{"content": "scripted!"}, {"error": {"status": 429, "retry_after": 4}}]}})", f);
  std::fclose(f);
  Child child = Spawn({"mock-llm", "--port", "0", "--quiet", "--script", path});
  std::string port = ReadLine(child.out_fd);
  auto model = OpenAIChatModel::Create({.model = "gpt-4.1", .base_url = "http://127.0.0.1:" + port + "/v1", .api_key = ""});
  ASSERT_TRUE(model.ok());
  ChatResult first = (*model)->Complete(Ask("q"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->content, "scripted!");
  ChatResult second = (*model)->Complete(Ask("q"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_DOUBLE_EQ(*second.error().retry_after_s, 4.0);
  kill(child.pid, SIGTERM);
  ReadAll(child.out_fd);
  close(child.out_fd);
  EXPECT_EQ(Wait(child.pid), 0);
}

TEST(MockLlmCli, BadFlagsAreUsageErrors) {
  for (std::vector<std::string> args : {std::vector<std::string>{"mock-llm", "--outage", "soon"},
                                        std::vector<std::string>{"mock-llm", "--fail-rate", "2"},
                                        std::vector<std::string>{"mock-llm", "--script", "/nonexistent/x.json"}}) {
    Child child = Spawn(args);
    ReadAll(child.out_fd);
    close(child.out_fd);
    EXPECT_EQ(Wait(child.pid), 2) << args[1];
  }
}

}  // namespace
}  // namespace reagent
