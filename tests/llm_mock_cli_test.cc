// `reagent mock-llm` as a user runs it: a real process that prints its port, serves the real
// client, and prints totals when it gets SIGTERM or SIGINT.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/llm/openai_chat_model.h"
#include "support/serve_harness.h"

namespace reagent {
namespace {

using testing::ChildProcess;

ChatRequest Ask(std::string text) {
  ChatRequest r;
  r.messages = {Message::System("Tools: calculator"), Message::User(std::move(text))};
  return r;
}

TEST(MockLlmCli, PrintsThePortServesTheClientAndPrintsTotalsOnSigterm) {
  auto child = ChildProcess::Start({"mock-llm", "--port", "0", "--quiet", "--require-key", "sk-cli-test-key-123456789"});
  std::string port = child->ReadLine();
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
  child->Signal(SIGTERM);
  std::string rest = child->ReadToEnd();
  EXPECT_EQ(child->Wait(), 0);
  EXPECT_NE(rest.find("mock-llm totals (SIGTERM): requests=2 ok=2 streamed=1"), std::string::npos) << rest;
}

TEST(MockLlmCli, SigintAlsoPrintsTotals) {
  auto child = ChildProcess::Start({"mock-llm", "--port", "0", "--quiet"});
  ASSERT_FALSE(child->ReadLine().empty());
  child->Signal(SIGINT);
  std::string rest = child->ReadToEnd();
  EXPECT_EQ(child->Wait(), 0);
  EXPECT_NE(rest.find("mock-llm totals (SIGINT): requests=0"), std::string::npos) << rest;
}

TEST(MockLlmCli, ScriptFileIsReplayed) {
  std::string path = std::string(REAGENT_BINARY_DIR) + "/llm_mock_cli_script.json";
  FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(R"({"models": {"gpt-4.1": [{"content": "scripted!"}, {"error": {"status": 429, "retry_after": 4}}]}})", f);
  std::fclose(f);
  auto child = ChildProcess::Start({"mock-llm", "--port", "0", "--quiet", "--script", path});
  std::string port = child->ReadLine();
  auto model = OpenAIChatModel::Create({.model = "gpt-4.1", .base_url = "http://127.0.0.1:" + port + "/v1", .api_key = ""});
  ASSERT_TRUE(model.ok());
  ChatResult first = (*model)->Complete(Ask("q"));
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->content, "scripted!");
  ChatResult second = (*model)->Complete(Ask("q"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_DOUBLE_EQ(*second.error().retry_after_s, 4.0);
  child->Signal(SIGTERM);
  child->ReadToEnd();
  EXPECT_EQ(child->Wait(), 0);
}

// Reads until the peer closes or `timeout_ms` passes without data; `closed` says which.
std::string ReadUntilClosed(int fd, int timeout_ms, bool& closed) {
  std::string out;
  closed = false;
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return out;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      closed = true;
      return out;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

TEST(MockLlmCli, AThousandIdleKeepAliveConnectionsDoNotStarveARequest) {
  auto child = ChildProcess::Start({"mock-llm", "--port", "0", "--quiet"});
  const int port = std::stoi(child->ReadLine());
  std::vector<int> idle;
  for (int i = 0; i < 1000; ++i) {
    int fd = testing::ConnectLoopback(port);
    ASSERT_GE(fd, 0) << i;
    idle.push_back(fd);
  }
  // The request must be served while all of them stay open: with a fixed pool of 16 workers
  // it queued behind them for minutes (each idle one held a worker for the keep-alive time).
  auto model = OpenAIChatModel::Create({.model = "gpt-4.1", .base_url = "http://127.0.0.1:" +
                                        std::to_string(port) + "/v1", .api_key = "",
                                        .request_timeout = Seconds(20)});
  ASSERT_TRUE(model.ok());
  ChatResult r = (*model)->Complete(Ask("What is 2+2?"));
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  for (int fd : idle) close(fd);
  child->Signal(SIGTERM);
  child->ReadToEnd();
  EXPECT_EQ(child->Wait(), 0);
}

TEST(MockLlmCli, ABadContentLengthIsRefusedAtOnceAndTheConnectionClosed) {
  auto child = ChildProcess::Start({"mock-llm", "--port", "0", "--quiet"});
  const int port = std::stoi(child->ReadLine());
  for (const char* length : {"-1", "abc", "99999999999999"}) {
    int fd = testing::ConnectLoopback(port);
    ASSERT_GE(fd, 0);
    const std::string request = std::string("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n") +
                                "Content-Type: application/json\r\nContent-Length: " + length +
                                "\r\n\r\n{\"model\":";
    ASSERT_EQ(write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
    bool closed = false;
    const std::string reply = ReadUntilClosed(fd, 3000, closed);
    EXPECT_TRUE(reply.starts_with(std::string("HTTP/1.1 ") + (length[0] == '9' ? "413" : "400")))
        << length << ": " << reply;
    EXPECT_TRUE(closed) << length << ": the server kept the connection waiting for a body";
    close(fd);
  }
  // And it still serves.
  auto model = OpenAIChatModel::Create({.model = "gpt-4.1", .base_url = "http://127.0.0.1:" +
                                        std::to_string(port) + "/v1", .api_key = ""});
  EXPECT_TRUE((*model)->Complete(Ask("hi")).ok());
  child->Signal(SIGTERM);
  child->ReadToEnd();
  EXPECT_EQ(child->Wait(), 0);
}

TEST(MockLlmCli, BadFlagsAreUsageErrors) {
  for (std::vector<std::string> args : {std::vector<std::string>{"mock-llm", "--outage", "soon"},
                                        std::vector<std::string>{"mock-llm", "--fail-rate", "2"},
                                        std::vector<std::string>{"mock-llm", "--script", "/nonexistent/x.json"}}) {
    auto child = ChildProcess::Start(args);
    child->ReadToEnd();
    EXPECT_EQ(child->Wait(), 2) << args[1];
  }
}

}  // namespace
}  // namespace reagent
