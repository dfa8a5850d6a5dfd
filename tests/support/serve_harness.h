// Integration tests of `reagent serve`: the real binary serving on 127.0.0.1 in front of the
// real `reagent mock-llm`, both started by the test on free ports, and a small HTTP/1.1
// client that speaks raw bytes (so tests can also send what no proper client would).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "reagent/core/json.h"
#include "support/child_process.h"

namespace reagent::testing {

struct HttpReply {
  int status = 0;                               // 0: no status line arrived
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // chunked bodies decoded
  std::string raw;                             // everything received
  std::string Header(const std::string& lower_name) const;
  Json json() const;  // the body as JSON (null when it is not)
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request on a fresh connection ("Connection: close"); reads until the server closes.
HttpReply Http(int port, const std::string& method, const std::string& path, const Headers& headers = {},
               const std::string& body = "", std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Sends `bytes` as they are and returns what comes back until the server closes (or timeout).
std::string RawExchange(int port, const std::string& bytes, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A connected socket to 127.0.0.1:port (-1 on failure); the caller closes it.
int ConnectLoopback(int port);

// Parses a raw HTTP/1.1 response (status, headers, chunked or sized body).
HttpReply ParseHttpReply(const std::string& raw);

// "data: {...}" payloads and ": reagent {...}" events of an SSE body, in order.
struct SseEvents {
  std::vector<Json> data;     // parsed data lines ([DONE] excluded)
  std::vector<Json> events;   // parsed reagent comment lines
  bool done = false;          // "data: [DONE]" seen
  std::string content;        // the concatenated delta contents
};
SseEvents ParseSse(const std::string& body);

struct ServeOptions {
  std::vector<std::string> mock_args;   // extra `reagent mock-llm` flags
  Json config = Json::object();         // merged (JSON merge patch) over the default config
  std::vector<std::string> serve_args;  // extra `reagent serve` flags
  bool start_mock = true;
};

// Starts mock-llm and serve with users alice and bob (keys kAliceKey, kBobKey), SQLite sessions
// and a JSON access log in a fresh temp directory.
class ServeHarness {
 public:
  static constexpr const char* kAliceKey = "sk-alice-test-key-0123456789";
  static constexpr const char* kBobKey = "sk-bob-test-key-9876543210";

  explicit ServeHarness(ServeOptions options = {});
  ~ServeHarness();

  bool ok() const { return port_ > 0; }
  int port() const { return port_; }
  int mock_port() const { return mock_port_; }
  const std::string& dir() const { return dir_; }
  ChildProcess& serve() { return *serve_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

  // POST /v1/chat/completions with the key (empty: no Authorization header).
  HttpReply Chat(const std::string& key, const Json& body, const Headers& extra = {});
  HttpReply Get(const std::string& key, const std::string& path);

  std::vector<Json> AccessLog() const;
  std::string Stderr() const;

 private:
  std::string dir_;
  int port_ = 0, mock_port_ = 0;
  std::unique_ptr<ChildProcess> mock_, serve_;
};

// {"model": "reagent", "messages": [{"role": "user", "content": text}]} (+ stream).
Json ChatBody(const std::string& text, bool stream = false);

}  // namespace reagent::testing
