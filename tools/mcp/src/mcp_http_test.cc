// The streamable HTTP transport against a scripted server on 127.0.0.1 (cpp-httplib): sessions
// and headers, SSE answers, and every way an HTTP server can misbehave.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "reagent/mcp/mcp_client.h"
#include "reagent/mcp/mcp_server.h"

namespace reagent {
namespace {

using nlohmann::json;

// A scripted MCP endpoint: initialize and tools/list are answered normally; tools/call does
// what `mode` says.
class ScriptedHttpServer {
 public:
  enum class Mode { kJson, kSseWithNotification, kGarbage, kHuge, kError500, kHang, kExpireOnce, kSseNoAnswer };

  explicit ScriptedHttpServer(Mode mode) : mode_(mode) {
    svr_.Post("/mcp", [this](const httplib::Request& req, httplib::Response& res) { Post(req, res); });
    svr_.Get("/mcp", [](const httplib::Request&, httplib::Response& res) { res.status = 405; });
    svr_.Delete("/mcp", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      deleted_session_ = req.get_header_value("Mcp-Session-Id");
      res.status = 200;
    });
    port_ = svr_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { svr_.listen_after_bind(); });
    while (!svr_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedHttpServer() {
    Release();
    svr_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  int initializes() const { return initializes_.load(); }
  std::string seen(const std::string& what) {
    std::lock_guard lock(mu_);
    return what == "delete" ? deleted_session_ : what == "session" ? last_session_ : last_version_;
  }

 private:
  static std::string Reply(const json& id, const json& result) {
    return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}.dump();
  }

  void Post(const httplib::Request& req, httplib::Response& res) {
    const json m = json::parse(req.body, nullptr, false);
    const std::string method = m.value("method", "");
    {
      std::lock_guard lock(mu_);
      if (method != "initialize") {
        last_session_ = req.get_header_value("Mcp-Session-Id");
        last_version_ = req.get_header_value("MCP-Protocol-Version");
      }
    }
    if (!m.contains("id")) {
      res.status = 202;
      return;
    }
    const json id = m["id"];
    if (method == "initialize") {
      const int n = ++initializes_;
      res.set_header("Mcp-Session-Id", "session-" + std::to_string(n));
      res.set_content(Reply(id, {{"protocolVersion", "2025-06-18"}, {"capabilities", {{"tools", json::object()}}},
                                 {"serverInfo", {{"name", "scripted"}, {"version", "1"}}}}),
                      "application/json");
      return;
    }
    if (method == "tools/list") {
      res.set_content(Reply(id, {{"tools", json::array({{{"name", "go"}, {"inputSchema", {{"type", "object"}}}}})}}),
                      "application/json");
      return;
    }
    const json ok = {{"content", json::array({{{"type", "text"}, {"text", "done"}}})}};
    switch (mode_) {
      case Mode::kJson: res.set_content(Reply(id, ok), "application/json"); return;
      case Mode::kSseWithNotification: {
        const std::string body = "id: e1\ndata: \n\n"
                                 "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\",\"data\":\"working\"}}\n\n"
                                 "event: message\ndata: " + Reply(id, ok) + "\n\n";
        res.set_content(body, "text/event-stream");
        return;
      }
      case Mode::kGarbage: res.set_content("<html>502 Bad Gateway</html>", "application/json"); return;
      case Mode::kHuge: res.set_content(Reply(id, {{"content", std::string(5 << 20, 'x')}}), "application/json"); return;
      case Mode::kError500:
        res.status = 500;
        res.set_content("boom", "text/plain");
        return;
      case Mode::kHang: {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::seconds(10), [&] { return released_; });
        res.set_content(Reply(id, ok), "application/json");
        return;
      }
      case Mode::kExpireOnce:
        if (initializes_.load() == 1) {
          res.status = 404;
          res.set_content("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32001,\"message\":\"Session not found\"},\"id\":null}",
                          "application/json");
          return;
        }
        res.set_content(Reply(id, ok), "application/json");
        return;
      case Mode::kSseNoAnswer: res.set_content("data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n", "text/event-stream"); return;
    }
  }

  Mode mode_;
  httplib::Server svr_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
  std::atomic<int> initializes_{0};
  std::string deleted_session_, last_session_, last_version_;
};

McpServerConfig Http(const ScriptedHttpServer& s) {
  return {.name = "scripted", .url = s.url(), .headers = {{"X-Api-Key", "k-123456789"}}, .connect_timeout = Seconds(5)};
}

Result<json> CallGo(ScriptedHttpServer::Mode mode, Duration timeout = Seconds(5)) {
  ScriptedHttpServer server(mode);
  auto client = McpClient::Connect(Http(server));
  if (!client.ok()) return client.status();
  return (*client)->CallTool("go", json::object(), timeout);
}

TEST(McpHttp, KeepsTheSessionSendsTheVersionAndDeletesTheSessionAtClose) {
  ScriptedHttpServer server(ScriptedHttpServer::Mode::kJson);
  auto client = McpClient::Connect(Http(server));
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  EXPECT_EQ((*client)->server_info().transport, "http");
  EXPECT_EQ((*client)->server_info().protocol_version, "2025-06-18");
  auto r = (*client)->CallTool("go", json::object(), Seconds(5));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["content"][0]["text"], "done");
  EXPECT_EQ(server.seen("session"), "session-1");
  EXPECT_EQ(server.seen("version"), "2025-06-18");
  (*client)->Close();
  EXPECT_EQ(server.seen("delete"), "session-1");
}

TEST(McpHttp, ReadsAnSseAnswerWithANotificationBeforeTheResponse) {
  auto r = CallGo(ScriptedHttpServer::Mode::kSseWithNotification);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["content"][0]["text"], "done");
}

TEST(McpHttp, AGarbageBodyIsAClearError) {
  auto r = CallGo(ScriptedHttpServer::Mode::kGarbage);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("is not JSON-RPC"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("502 Bad Gateway"), std::string::npos) << r.status().message();
}

TEST(McpHttp, AFiveMegabyteBodyIsRefusedAtTheLimit) {
  auto r = CallGo(ScriptedHttpServer::Mode::kHuge);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("larger than 4194304 bytes"), std::string::npos) << r.status().message();
}

TEST(McpHttp, AnHttpErrorQuotesTheStatusAndBody) {
  auto r = CallGo(ScriptedHttpServer::Mode::kError500);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "HTTP 500 from the server: boom");
}

TEST(McpHttp, AHungServerTimesOut) {
  ScriptedHttpServer server(ScriptedHttpServer::Mode::kHang);
  auto client = McpClient::Connect(Http(server));
  ASSERT_TRUE(client.ok());
  auto r = (*client)->CallTool("go", json::object(), Seconds(0.3));
  server.Release();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
}

TEST(McpHttp, AStreamThatEndsWithoutTheAnswerIsAnError) {
  auto r = CallGo(ScriptedHttpServer::Mode::kSseNoAnswer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("closed the event stream without answering"), std::string::npos)
      << r.status().message();
}

TEST(McpHttp, AnExpiredSessionIsRenewedAndTheCallRetriedOnce) {
  ScriptedHttpServer server(ScriptedHttpServer::Mode::kExpireOnce);
  auto mcp = McpServer::Start(Http(server));
  ASSERT_TRUE(mcp.ok()) << mcp.status().ToString();
  ToolResult r = (*mcp)->CallTool("go", json::object(), Seconds(5));
  EXPECT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.text, "done");
  EXPECT_EQ(server.initializes(), 2);
  EXPECT_EQ(server.seen("session"), "session-2");
}

TEST(McpHttp, AnUnreachableServerIsUnavailable) {
  auto client = McpClient::Connect({.name = "gone", .url = "http://127.0.0.1:1/mcp", .connect_timeout = Seconds(5)});
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(client.status().message().find("cannot reach http://127.0.0.1:1/mcp"), std::string::npos)
      << client.status().message();
}

}  // namespace
}  // namespace reagent
