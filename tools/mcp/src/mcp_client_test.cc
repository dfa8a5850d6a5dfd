// McpClient over stdio against a real child process (the fake server in testing/), including
// every way a server can misbehave.
#include "reagent/mcp/mcp_client.h"

#include <gtest/gtest.h>

#include <atomic>

#include "mcp_test_support.h"

namespace reagent {
namespace {

using mcp_test::Eventually;
using mcp_test::FakeServer;
using nlohmann::json;

std::unique_ptr<McpClient> MustConnect(const McpServerConfig& c, McpClientHooks hooks = {}) {
  auto client = McpClient::Connect(c, std::move(hooks));
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  return client.ok() ? std::move(*client) : nullptr;
}

std::string FirstText(const json& result) { return result["content"][0]["text"].get<std::string>(); }

TEST(McpClient, NegotiatesTheNewestRevisionListsAndCalls) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  EXPECT_EQ(client->server_info().name, "fake-mcp-server");
  EXPECT_EQ(client->server_info().protocol_version, "2025-11-25");
  EXPECT_EQ(client->server_info().transport, "stdio");
  EXPECT_EQ(client->server_info().instructions, "Use these tools to test reagent.");
  auto tools = client->ListTools(Seconds(5));
  ASSERT_TRUE(tools.ok()) << tools.status().ToString();
  ASSERT_GE(tools->size(), 10u);
  EXPECT_EQ((*tools)[0].name, "echo");
  EXPECT_EQ((*tools)[0].input_schema["required"][0], "text");
  auto r = client->CallTool("echo", {{"text", "hello"}}, Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(FirstText(*r), "hello");
  EXPECT_TRUE(client->Ping(Seconds(5)).ok());
}

TEST(McpClient, AcceptsAnOlderRevisionItSpeaks) {
  auto client = MustConnect(FakeServer({"--protocol", "2024-11-05"}));
  ASSERT_TRUE(client);
  EXPECT_EQ(client->server_info().protocol_version, "2024-11-05");
}

TEST(McpClient, RefusesARevisionItDoesNotSpeak) {
  auto client = McpClient::Connect(FakeServer({"--protocol", "1999-01-01"}));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(client.status().message().find("\"1999-01-01\""), std::string::npos) << client.status().message();
  EXPECT_NE(client.status().message().find("2025-11-25"), std::string::npos);
}

TEST(McpClient, FollowsPaginationToTheEnd) {
  auto paged = MustConnect(FakeServer({"--page", "3"}));
  auto whole = MustConnect(FakeServer());
  ASSERT_TRUE(paged && whole);
  auto a = paged->ListTools(Seconds(5));
  auto b = whole->ListTools(Seconds(5));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->size(), b->size());
  EXPECT_EQ(a->back().name, b->back().name);
}

TEST(McpClient, AProgramThatCannotStartIsNotFound) {
  McpServerConfig c{.name = "nope", .command = {"/nonexistent/mcp-server"}};
  auto client = McpClient::Connect(c);
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kNotFound);
  EXPECT_NE(client.status().message().find("cannot start /nonexistent/mcp-server"), std::string::npos);
}

TEST(McpClient, AServerThatDiesInTheHandshakeReportsItsStatusAndStderr) {
  auto client = McpClient::Connect(FakeServer({"--exit-at-init"}));
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(client.status().message().find("exited with status 7"), std::string::npos) << client.status().message();
  EXPECT_NE(client.status().message().find("refusing to start"), std::string::npos) << client.status().message();
}

TEST(McpClient, AnInvalidConfigIsRejectedBeforeAnythingStarts) {
  auto client = McpClient::Connect({.name = "bad name!", .command = {"x"}, .url = "http://127.0.0.1:1/mcp"});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client.status().message().find("name:"), std::string::npos);
  EXPECT_NE(client.status().message().find("exactly one"), std::string::npos);
}

TEST(McpClient, ACrashMidCallFailsTheCallAtOnceWithTheExitStatus) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  const auto start = std::chrono::steady_clock::now();
  auto r = client->CallTool("crash", json::object(), Seconds(60));
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));  // not the timeout
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("exited with status 3"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("simulated crash"), std::string::npos) << r.status().message();
  EXPECT_FALSE(client->connected());
  auto again = client->CallTool("echo", {{"text", "x"}}, Seconds(5));
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
}

TEST(McpClient, AHungCallTimesOutAndTheServerIsToldToCancelIt) {
  mcp_test::TempDir dir;
  auto client = MustConnect(FakeServer({"--log", dir.File("log")}));
  ASSERT_TRUE(client);
  auto r = client->CallTool("hang", json::object(), Seconds(0.3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(r.status().message().find("no answer within 0.3 s"), std::string::npos) << r.status().message();
  EXPECT_TRUE(Eventually([&] { return mcp_test::ReadFile(dir.File("log")).find("cancelled 2") != std::string::npos; }))
      << mcp_test::ReadFile(dir.File("log"));
  // The session is still usable.
  auto echo = client->CallTool("echo", {{"text", "still here"}}, Seconds(5));
  ASSERT_TRUE(echo.ok()) << echo.status().ToString();
}

TEST(McpClient, TheCallersTokenAbandonsTheCall) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  CancellationSource source;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    source.Cancel();
  });
  auto r = client->CallTool("hang", json::object(), Seconds(60), source.token());
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
}

TEST(McpClient, AFloodOfNonJsonOutputEndsTheConnection) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  auto r = client->CallTool("garbage", json::object(), Seconds(30));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("not JSON-RPC"), std::string::npos) << r.status().message();
  EXPECT_FALSE(client->connected());
}

TEST(McpClient, AStrayNonJsonLineIsToleratedAndNamedInTheTimeout) {
  auto client = MustConnect(FakeServer({"--banner"}));  // a banner at start is tolerated too
  ASSERT_TRUE(client);
  auto r = client->CallTool("noise", json::object(), Seconds(0.5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(r.status().message().find("this is not json"), std::string::npos) << r.status().message();
  EXPECT_TRUE(client->CallTool("echo", {{"text", "ok"}}, Seconds(5)).ok());
}

TEST(McpClient, AMessageOverTheLimitFailsOnlyItsCall) {
  for (bool id_first : {false, true}) {
    auto config = FakeServer(id_first ? std::vector<std::string>{"--id-first"} : std::vector<std::string>{});
    auto client = MustConnect(config);
    ASSERT_TRUE(client);
    auto r = client->CallTool("huge", json::object(), Seconds(30));  // 5 MB > 4 MiB
    ASSERT_FALSE(r.ok()) << "id_first=" << id_first;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(r.status().message().find("more than 4194304 bytes"), std::string::npos) << r.status().message();
    auto echo = client->CallTool("echo", {{"text", "after"}}, Seconds(5));
    ASSERT_TRUE(echo.ok()) << echo.status().ToString();
    EXPECT_EQ(FirstText(*echo), "after");
  }
}

TEST(McpClient, NestingPastTheLimitFailsThatCall) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  auto r = client->CallTool("deep", json::object(), Seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nests deeper than 64"), std::string::npos) << r.status().message();
  EXPECT_TRUE(client->CallTool("echo", {{"text", "ok"}}, Seconds(5)).ok());
}

TEST(McpClient, AJsonRpcErrorBecomesAFailedPrecondition) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  auto r = client->CallTool("rpc_error", json::object(), Seconds(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(r.status().message(), "server error -32602: Invalid params: no such thing");
}

TEST(McpClient, ServerRequestsAreRefusedExceptPing) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  auto r = client->CallTool("ask_client", json::object(), Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(FirstText(*r), "error -32601; result; ");  // sampling refused, ping answered
}

TEST(McpClient, ListChangedReachesTheHook) {
  std::atomic<int> changes{0};
  auto client = MustConnect(FakeServer(), {.tools_changed = [&] { ++changes; }});
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->CallTool("change", json::object(), Seconds(5)).ok());
  EXPECT_TRUE(Eventually([&] { return changes.load() == 1; }));
  auto tools = client->ListTools(Seconds(5));
  ASSERT_TRUE(tools.ok());
  EXPECT_EQ(tools->back().name, "late");
}

TEST(McpClient, ConcurrentCallsAreMatchedById) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  std::vector<std::thread> threads;
  std::atomic<int> right{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = client->CallTool("echo", {{"text", "n" + std::to_string(i)}}, Seconds(10));
      if (r.ok() && FirstText(*r) == "n" + std::to_string(i)) ++right;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), 8);
}

TEST(McpClient, CloseFailsPendingCallsAndIsIdempotent) {
  auto client = MustConnect(FakeServer());
  ASSERT_TRUE(client);
  std::optional<Result<json>> hung;
  std::thread caller([&] { hung = client->CallTool("hang", json::object(), Seconds(60)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  client->Close();
  caller.join();
  ASSERT_TRUE(hung.has_value());
  EXPECT_EQ(hung->status().code(), StatusCode::kUnavailable);
  client->Close();
  EXPECT_FALSE(client->connected());
}

}  // namespace
}  // namespace reagent
