#include "reagent/mockllm/hostile_provider.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "reagent/core/json.h"

namespace reagent::mockllm {
namespace {

constexpr size_t kMaxHeaderBytes = 64 << 10;
constexpr size_t kMaxBodyBytes = 16 << 20;
constexpr int kPollMs = 50;               // how often blocked loops look at the stop flag
constexpr auto kReadGiveUp = std::chrono::seconds(10);
constexpr int kDeepLevels = 100000;
constexpr int kManyToolCalls = 10000;
constexpr size_t kHugeNameBytes = 100 << 10;
constexpr auto kEndlessChunkEvery = std::chrono::milliseconds(100);
constexpr auto kDripEvery = std::chrono::seconds(1);
constexpr const char* kRedirectTarget = "http://elsewhere.invalid/v1/chat/completions";

struct Request {
  std::string behaviour;
  std::string api_key;
  Json body;
  bool stream = false;
  bool native = false;    // the request offers tools: answer with native tool calls
  bool answered = false;  // an observation is in the conversation: time to answer
  std::string model;
};

}  // namespace

struct HostileProvider::State {
  int listen_fd = -1;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::thread acceptor;
  std::mutex mu;
  std::condition_variable idle;
  int active = 0;
  std::map<std::string, int64_t, std::less<>> counts;
  std::map<std::string, std::string, std::less<>> models;

  bool Stopping() const { return stopping.load(std::memory_order_relaxed); }
  void Serve(int fd);
  int64_t Count(const Request& r);
};

namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Sleeps `d` in slices, false as soon as the server stops.
bool Pause(const HostileProvider::State& s, std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (s.Stopping()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(kPollMs, d.count())));
  }
  return !s.Stopping();
}

// Reads one request (headers, then Content-Length bytes of body). False on EOF, garbage,
// oversize, stop, or a client that stalls.
bool ReadRequest(const HostileProvider::State& s, int fd, std::string& head, std::string& body) {
  std::string data;
  const auto give_up = std::chrono::steady_clock::now() + kReadGiveUp;
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  while (true) {
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        head = data.substr(0, header_end);
        std::string lower = head;
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (auto at = lower.find("\r\ncontent-length:"); at != std::string::npos) {
          content_length = std::strtoull(lower.c_str() + at + 17, nullptr, 10);
          if (content_length > kMaxBodyBytes) return false;
        }
      } else if (data.size() > kMaxHeaderBytes) {
        return false;
      }
    }
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) {
      body = data.substr(header_end + 4, content_length);
      return true;
    }
    if (s.Stopping() || std::chrono::steady_clock::now() > give_up) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    char buffer[16 << 10];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return false;
    data.append(buffer, static_cast<size_t>(n));
  }
}

Request Parse(const std::string& head, const std::string& body) {
  Request r;
  // "POST /<behaviour>/v1/chat/completions HTTP/1.1"
  const size_t path = head.find(' ');
  if (path != std::string::npos && head.size() > path + 2) {
    const size_t end = head.find('/', path + 2);
    r.behaviour = head.substr(path + 2, end == std::string::npos ? 0 : end - path - 2);
  }
  std::string lower = head;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (auto at = lower.find("\r\nauthorization: bearer "); at != std::string::npos) {
    const size_t from = at + 24;
    r.api_key = head.substr(from, head.find("\r\n", from) - from);
  }
  auto parsed = ParseJson(body, "request body");
  if (!parsed.ok() || !parsed->is_object()) return r;
  r.body = std::move(*parsed);
  r.stream = r.body.contains("stream") && r.body["stream"].is_boolean() && r.body["stream"].get<bool>();
  r.native = r.body.contains("tools");
  if (r.body.contains("model") && r.body["model"].is_string()) r.model = r.body["model"].get<std::string>();
  if (r.body.contains("messages") && r.body["messages"].is_array()) {
    for (const Json& m : r.body["messages"]) {
      if (!m.is_object()) continue;
      const std::string role = m.value("role", "");
      const std::string content = m.contains("content") && m["content"].is_string() ? m["content"].get<std::string>() : "";
      if (role == "tool" || (role == "user" && content.starts_with("Observation:"))) r.answered = true;
    }
  }
  return r;
}

std::string Http(int status, std::string_view reason, std::string_view content_type,
                 const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
         "\r\nContent-Type: " + std::string(content_type) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         extra_headers + "\r\n" + body;
}

constexpr const char* kUsage = R"({"prompt_tokens":50,"completion_tokens":10,"total_tokens":60})";

// A chat.completion body; `message` and `usage` are raw JSON text (they may hold what a JSON
// library would never write).
std::string Completion(const std::string& model, const std::string& message,
                       const std::string& finish, const std::string& usage = kUsage,
                       const std::string& extra_field = "") {
  return R"({"id":"chatcmpl-hostile","object":"chat.completion","created":1735689600,"model":)" +
         DumpJson(Json(model)) + R"(,"choices":[{"index":0,"message":)" + message +
         R"(,"finish_reason":")" + finish + R"("}],"usage":)" + usage + extra_field + "}";
}

std::string TextMessage(const std::string& text) {
  return R"({"role":"assistant","content":)" + DumpJson(Json(text)) + "}";
}

std::string FinalText(const Request& r) { return r.native ? "done" : "Thought: done\nFinal Answer: done"; }

std::string ToolCallJson(size_t i, const std::string& name, const std::string& arguments_json) {
  return R"({"id":"call_)" + std::to_string(i) + R"(","type":"function","function":{"name":)" +
         DumpJson(Json(name)) + R"(,"arguments":)" + arguments_json + "}}";
}

// A reply asking for `name` with `arguments` (JSON text). Native: a tool call whose arguments
// are a JSON string (or, raw_object, the object itself); ReAct: Action / Action Input lines.
std::string AskForTool(const Request& r, const std::string& name, const std::string& arguments,
                       bool raw_object = false) {
  if (!r.native) {
    return Completion(r.model, TextMessage("Thought: I will use a tool.\nAction: " + name +
                                           "\nAction Input: " + arguments),
                      "stop");
  }
  const std::string args = raw_object ? arguments : DumpJson(Json(arguments));
  return Completion(r.model,
                    R"({"role":"assistant","content":null,"tool_calls":[)" + ToolCallJson(0, name, args) + "]}",
                    "tool_calls");
}

std::string Deep(int levels) { return std::string(static_cast<size_t>(levels), '[') + std::string(static_cast<size_t>(levels), ']'); }

std::string ErrorJson(const std::string& message, const std::string& type, const std::string& code) {
  return R"({"error":{"message":)" + DumpJson(Json(message)) + R"(,"type":")" + type +
         R"(","code":")" + code + R"("}})";
}

std::string SseHead() {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
         "Connection: close\r\n\r\n";
}

std::string SseChunk(const std::string& content, const std::string& extra = "") {
  return R"(data: {"id":"chatcmpl-hostile","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":)" +
         DumpJson(Json(content)) + "}}]" + extra + "}\n\n";
}

}  // namespace

std::vector<std::string> HostileBehaviours() {
  return {"ok",          "huge-number",     "huge-number-sse", "number-args",      "deep-body",
          "deep-args",   "negative-usage",  "huge-usage",      "unpriced-name",    "cheap-name",
          "echo-key",    "echo-key-error",  "retry-after-huge", "endless-sse",     "slow-drip",
          "truncated-sse", "truncated-body", "reset",          "redirect",         "many-tool-calls",
          "huge-tool-name", "tool-then-stall", "fail-N"};
}

int64_t HostileProvider::State::Count(const Request& r) {
  std::lock_guard lock(mu);
  models[r.behaviour] = r.model;
  return ++counts[r.behaviour];
}

void HostileProvider::State::Serve(int fd) {
  std::string head, raw_body;
  if (!ReadRequest(*this, fd, head, raw_body)) return;
  const Request r = Parse(head, raw_body);
  const int64_t n = Count(r);
  const std::string& b = r.behaviour;
  auto json200 = [&](const std::string& body) { WriteAll(fd, Http(200, "OK", "application/json", body)); };
  auto final_with = [&](const std::string& usage, const std::string& model) {
    json200(Completion(model, TextMessage(FinalText(r)), "stop", usage));
  };

  if (b == "ok") {
    final_with(kUsage, r.model);
  } else if (b == "huge-number" || (b == "huge-number-sse" && !r.stream)) {
    final_with(R"({"prompt_tokens":1e400,"completion_tokens":1})", r.model);
  } else if (b == "huge-number-sse") {
    WriteAll(fd, SseHead() + SseChunk("hi", R"(,"usage":{"prompt_tokens":1e400})") + "data: [DONE]\n\n");
  } else if (b == "number-args") {
    r.answered ? final_with(kUsage, r.model) : json200(AskForTool(r, "calculator", R"({"expression": 1e400})"));
  } else if (b == "deep-body") {
    json200(Completion(r.model, TextMessage(FinalText(r)), "stop", kUsage, R"(,"hostile":)" + Deep(kDeepLevels)));
  } else if (b == "deep-args") {
    r.answered ? final_with(kUsage, r.model)
               : json200(AskForTool(r, "calculator", R"({"expression": )" + Deep(kDeepLevels) + "}"));
  } else if (b == "negative-usage") {
    final_with(R"({"prompt_tokens":-1000005,"completion_tokens":5,"total_tokens":-1000000})", r.model);
  } else if (b == "huge-usage") {
    final_with(R"({"prompt_tokens":10,"completion_tokens":9223372036854775807})", r.model);
  } else if (b == "unpriced-name") {
    final_with(kUsage, "hostile-unpriced-model");
  } else if (b == "cheap-name") {
    final_with(R"({"prompt_tokens":1000,"completion_tokens":1000,"total_tokens":2000})", "gpt-4.1-nano");
  } else if (b == "echo-key") {
    const std::string text = "The key you sent is " + r.api_key + ".";
    json200(Completion(r.model, TextMessage(r.native ? text : "Thought: echo\nFinal Answer: " + text), "stop"));
  } else if (b == "echo-key-error") {
    std::string upper = r.api_key;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    WriteAll(fd, Http(401, "Unauthorized", "application/json",
                      ErrorJson("Incorrect API key provided: " + upper + ".", "invalid_request_error",
                                "invalid_api_key")));
  } else if (b == "retry-after-huge") {
    WriteAll(fd, Http(429, "Too Many Requests", "application/json",
                      ErrorJson("Rate limit reached.", "requests", "rate_limit_exceeded"),
                      "Retry-After: 10000000000\r\n"));
  } else if (b == "endless-sse" || (b == "tool-then-stall" && r.answered)) {
    if (r.stream) {
      if (!WriteAll(fd, SseHead())) return;
      while (WriteAll(fd, SseChunk(".")) && Pause(*this, kEndlessChunkEvery)) {
      }
    } else {
      // A JSON body that never ends: whitespace is valid between tokens.
      if (!WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{")) return;
      while (WriteAll(fd, std::string(64, ' ')) && Pause(*this, kEndlessChunkEvery)) {
      }
    }
  } else if (b == "tool-then-stall") {
    json200(AskForTool(r, "calculator", R"({"expression": "2+2"})"));
  } else if (b == "slow-drip") {
    const std::string reply = Http(200, "OK", "application/json", Completion(r.model, TextMessage(FinalText(r)), "stop"));
    for (char c : reply) {
      if (!WriteAll(fd, std::string_view(&c, 1)) ||
          !Pause(*this, std::chrono::duration_cast<std::chrono::milliseconds>(kDripEvery))) {
        break;
      }
    }
  } else if (b == "truncated-sse" && r.stream) {
    WriteAll(fd, SseHead() + SseChunk("par") + SseChunk("tial"));
  } else if (b == "truncated-body" || b == "truncated-sse") {
    WriteAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
                 "Connection: close\r\n\r\n{\"id\":\"ch");
  } else if (b == "reset") {
    linger hard{1, 0};  // close with RST instead of FIN
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  } else if (b == "redirect") {
    WriteAll(fd, Http(307, "Temporary Redirect", "text/plain", "",
                      std::string("Location: ") + kRedirectTarget + "\r\n"));
  } else if (b == "many-tool-calls") {
    if (r.answered) {
      final_with(kUsage, r.model);
    } else if (r.native) {
      std::string calls;
      for (int i = 0; i < kManyToolCalls; ++i) {
        calls += (i ? "," : "") + ToolCallJson(static_cast<size_t>(i), "calculator", DumpJson(Json(R"({"expression":"1+1"})")));
      }
      json200(Completion(r.model, R"({"role":"assistant","content":null,"tool_calls":[)" + calls + "]}", "tool_calls"));
    } else {
      std::string text = "Thought: many\n";
      for (int i = 0; i < kManyToolCalls; ++i) text += "Action: calculator\nAction Input: 1+1\n";
      json200(Completion(r.model, TextMessage(text), "stop"));
    }
  } else if (b == "huge-tool-name") {
    r.answered ? final_with(kUsage, r.model)
               : json200(AskForTool(r, std::string(kHugeNameBytes, 'x'), R"({"expression": "1+1"})"));
  } else if (b.starts_with("fail-")) {
    const int64_t failures = std::strtoll(b.c_str() + 5, nullptr, 10);
    if (n <= failures) {
      WriteAll(fd, Http(500, "Internal Server Error", "application/json",
                        ErrorJson("The server had an error.", "server_error", "")));
    } else {
      final_with(kUsage, r.model);
    }
  } else {
    WriteAll(fd, Http(404, "Not Found", "application/json",
                      ErrorJson("unknown hostile behaviour " + b, "invalid_request_error", "")));
  }
}

HostileProvider::HostileProvider() : state_(std::make_shared<State>()) {}
HostileProvider::~HostileProvider() { Stop(); }

Status HostileProvider::Start() {
  State& s = *state_;
  if (s.listen_fd >= 0) return Status::FailedPrecondition("hostile provider: already started");
  s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.listen_fd < 0) return Status::Unavailable("hostile provider: cannot create a socket");
  int one = 1;
  ::setsockopt(s.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(s.listen_fd, SOMAXCONN) != 0 ||
      ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(s.listen_fd);
    s.listen_fd = -1;
    return Status::Unavailable("hostile provider: cannot listen on 127.0.0.1");
  }
  s.port = ntohs(addr.sin_port);
  std::shared_ptr<State> state = state_;
  s.acceptor = std::thread([state] {
    while (!state->Stopping()) {
      pollfd p{state->listen_fd, POLLIN, 0};
      if (::poll(&p, 1, kPollMs) <= 0) continue;
      const int fd = ::accept4(state->listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      {
        std::lock_guard lock(state->mu);
        ++state->active;
      }
      std::thread([state, fd] {
        state->Serve(fd);
        ::close(fd);
        std::lock_guard lock(state->mu);
        --state->active;
        state->idle.notify_all();
      }).detach();
    }
  });
  return Status::Ok();
}

void HostileProvider::Stop() {
  State& s = *state_;
  if (s.listen_fd < 0) return;
  s.stopping = true;
  if (s.acceptor.joinable()) s.acceptor.join();
  ::close(s.listen_fd);
  s.listen_fd = -1;
  std::unique_lock lock(s.mu);
  s.idle.wait(lock, [&] { return s.active == 0; });
}

int HostileProvider::port() const { return state_->port; }

std::string HostileProvider::base_url(std::string_view behaviour) const {
  return "http://127.0.0.1:" + std::to_string(state_->port) + "/" + std::string(behaviour) + "/v1";
}

int64_t HostileProvider::requests(std::string_view behaviour) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->counts.find(behaviour);
  return it == state_->counts.end() ? 0 : it->second;
}

std::string HostileProvider::last_model(std::string_view behaviour) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->models.find(behaviour);
  return it == state_->models.end() ? "" : it->second;
}

}  // namespace reagent::mockllm
