// `reagent serve` when clients and operators stop things: a client that hangs up mid-stream
// cancels its turn (the steps so far stay stored), and SIGTERM drains — running turns finish
// within the grace period, queued ones are told to retry, and past the grace turns are
// cancelled.
#include <gtest/gtest.h>

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <thread>

#include "support/reagent_process.h"
#include "support/serve_harness.h"

namespace reagent {
namespace {

using testing::ServeHarness;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A streaming chat request on a raw socket, read as it arrives.
class OpenStream {
 public:
  OpenStream(int port, const std::string& key, const std::string& question) : fd_(testing::ConnectLoopback(port)) {
    const std::string body = testing::ChatBody(question, true).dump();
    const std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                                "\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(body.size()) + "\r\n\r\n" + body;
    if (fd_ >= 0) (void)!write(fd_, request.data(), request.size());
  }
  ~OpenStream() { Close(); }

  // Reads until `needle` has arrived (true) or the stream ends / times out (false).
  bool ReadUntil(const std::string& needle, milliseconds timeout = seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(needle) == std::string::npos) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }
  // Reads until the server closes the connection.
  std::string ReadToEnd(milliseconds timeout = seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (ReadSome(deadline)) {
    }
    return received_;
  }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  const std::string& received() const { return received_; }

 private:
  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (fd_ < 0 || left <= 0 || poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[8192];
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    received_.append(buf, static_cast<size_t>(n));
    return true;
  }
  int fd_;
  std::string received_;
};

// Polls the access log for the line of a chat request (written when its turn is over).
Json AwaitChatLogLine(ServeHarness& h, seconds timeout = seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    for (const Json& line : h.AccessLog()) {
      if (line["path"] == "/v1/chat/completions") return line;
    }
    std::this_thread::sleep_for(milliseconds(20));  // waiting for another process's file
  }
  return Json();
}

std::string WriteScript(const std::string& dir, const Json& script) {
  const std::string path = dir + "/script.json";
  std::ofstream(path) << script.dump();
  return path;
}

TEST(ServeLifecycle, AClientThatDisconnectsMidStreamCancelsItsTurnAndTheStepsStayStored) {
  const std::string scratch = testing::MakeTempDir("serve-script");
  // Step 1 is a quick tool call; step 2 streams a long answer slowly.
  const std::string script = WriteScript(scratch, Json::array({
      {{"content", "Thought: I need to compute.\nAction: calculator\nAction Input: 17*23"}},
      {{"content", "Thought: I know it.\nFinal Answer: " + std::string(4000, 'x')}},
  }));
  ServeHarness h({.mock_args = {"--script", script, "--stream-delay-ms", "20", "--chunk-chars", "8"}});
  ASSERT_TRUE(h.ok()) << h.Stderr();
  OpenStream stream(h.port(), ServeHarness::kAliceKey, "What is 17*23?");
  ASSERT_TRUE(stream.ReadUntil("\"event\":\"tool_result\"")) << stream.received();
  ASSERT_TRUE(stream.ReadUntil("xxxxxxxx")) << stream.received();  // the answer is streaming
  const auto head = testing::ParseHttpReply(stream.received());
  const std::string sid = head.Header("x-session-id");
  ASSERT_EQ(sid.size(), 22u) << stream.received();
  stream.Close();

  const Json line = AwaitChatLogLine(h);
  ASSERT_TRUE(line.is_object()) << h.Stderr();
  EXPECT_EQ(line["stop_reason"], "cancelled");
  EXPECT_EQ(line["client_gone"], true);
  EXPECT_EQ(line["session_id"], sid);

  // The step that completed before the hang-up is stored: question, tool call, observation.
  const auto session = h.Get(ServeHarness::kAliceKey, "/v1/sessions/" + sid);
  ASSERT_EQ(session.status, 200) << session.raw;
  const Json s = session.json();
  ASSERT_GE(s["messages"].size(), 3u) << s.dump(2);
  EXPECT_EQ(s["messages"][0]["content"], "What is 17*23?");
  EXPECT_NE(s["messages"][1]["content"].get<std::string>().find("Action: calculator"), std::string::npos);
  EXPECT_NE(s["messages"][2]["content"].get<std::string>().find("391"), std::string::npos);
  EXPECT_EQ(s["step_count"], 1);
  const std::string metrics = testing::Http(h.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find(R"(reagent_turns_total{stop_reason="cancelled"} 1)"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("reagent_client_disconnects_total 1"), std::string::npos);
  EXPECT_NE(metrics.find("reagent_open_streams 0"), std::string::npos);
  testing::RemoveTree(scratch);
}

TEST(ServeLifecycle, SigtermLetsRunningTurnsFinishRefusesNewConnectionsAndExits) {
  ServeHarness h({.mock_args = {"--latency-ms", "700"}});
  ASSERT_TRUE(h.ok()) << h.Stderr();
  OpenStream stream(h.port(), ServeHarness::kAliceKey, "What is 17*23?");
  ASSERT_TRUE(stream.ReadUntil("\"event\":\"step_started\"")) << stream.received();
  h.serve().Signal(SIGTERM);
  const std::string all = stream.ReadToEnd();
  const auto sse = testing::ParseSse(testing::ParseHttpReply(all).body);
  EXPECT_TRUE(sse.done) << all;
  EXPECT_EQ(sse.content, "391");
  EXPECT_EQ(sse.data[sse.data.size() - 1]["reagent"]["stop_reason"], "final_answer");
  EXPECT_EQ(h.serve().Wait(seconds(30)), 0) << h.Stderr();
  EXPECT_EQ(testing::ConnectLoopback(h.port()), -1);
  EXPECT_NE(h.Stderr().find("draining: 1 turns running"), std::string::npos) << h.Stderr();
}

TEST(ServeLifecycle, PastTheGracePeriodRunningTurnsAreCancelledAndQueuedOnesToldToRetry) {
  ServeHarness h({.mock_args = {"--latency-ms", "4000"},
                  .serve_args = {"--drain-grace", "0.3", "--max-concurrent-turns", "1"}});
  ASSERT_TRUE(h.ok()) << h.Stderr();
  OpenStream running(h.port(), ServeHarness::kAliceKey, "What is 17*23?");
  ASSERT_TRUE(running.ReadUntil("\"event\":\"step_started\"")) << running.received();
  auto queued = std::async(std::launch::async, [&] {
    return h.Chat(ServeHarness::kBobKey, testing::ChatBody("What is 2*2?"));
  });
  // The second turn waits for the only worker.
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (testing::Http(h.port(), "GET", "/metrics").body.find("reagent_turns_waiting 1") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  h.serve().Signal(SIGTERM);
  const auto refused = queued.get();
  EXPECT_EQ(refused.status, 503) << refused.raw;
  EXPECT_EQ(refused.json()["error"]["code"], "shutting_down");
  EXPECT_EQ(refused.Header("retry-after"), "1");

  const std::string all = running.ReadToEnd();
  const auto sse = testing::ParseSse(testing::ParseHttpReply(all).body);
  EXPECT_TRUE(sse.done) << all;
  bool cancelled = false, error_event = false;
  for (const Json& d : sse.data) {
    if (d.contains("reagent")) cancelled = d["reagent"]["stop_reason"] == "cancelled";
    if (d.contains("error")) error_event = d["error"]["code"] == "cancelled";
  }
  EXPECT_TRUE(cancelled) << all;
  EXPECT_TRUE(error_event) << all;
  EXPECT_EQ(h.serve().Wait(seconds(30)), 0) << h.Stderr();
  EXPECT_NE(h.Stderr().find("grace period over"), std::string::npos) << h.Stderr();
}

}  // namespace
}  // namespace reagent
