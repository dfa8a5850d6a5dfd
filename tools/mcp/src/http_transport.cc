// The streamable HTTP transport: every client message is a POST to the endpoint; the answer is
// 202 (nothing to say), a JSON body, or an SSE stream carrying the response (and possibly the
// server's own requests and notifications first). A stream that drops before the response is
// resumed with GET + Last-Event-ID after the server's `retry` delay. After initialize, a GET
// stream carries server-initiated messages (list_changed, pings) if the server offers one.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "curl_transfer.h"
#include "jsonrpc.h"
#include "reagent/core/json.h"
#include "reagent/core/logging.h"
#include "reagent/llm/sse_parser.h"
#include "reagent/mcp/mcp_client.h"
#include "transport.h"

namespace reagent::mcp_internal {
namespace {

using internal::HttpRequest;
using internal::HttpResult;
using internal::TransferOutcome;

// Idle libcurl handles kept for reuse (each holds its keep-alive connection).
constexpr std::size_t kMaxIdleHandles = 4;
// How often a transfer looks at cancellation between wakeups.
constexpr auto kPollSlice = std::chrono::milliseconds(50);
constexpr auto kConnectTimeout = std::chrono::milliseconds(10000);

// Resuming a dropped response stream: attempts, and the delay when the server names none.
constexpr int kMaxResumeAttempts = 3;
constexpr auto kDefaultRetryDelay = std::chrono::milliseconds(1000);
// The standalone GET stream: consecutive failures before giving up, and its backoff cap.
constexpr int kMaxStreamFailures = 5;
constexpr auto kMaxStreamBackoff = std::chrono::milliseconds(30000);
// Session ids are visible ASCII (the specification); longer than this is not a real one.
constexpr std::size_t kMaxSessionIdLength = 256;
// DELETE at shutdown: best effort, never long.
constexpr auto kDeleteTimeout = std::chrono::milliseconds(2000);

bool ValidSessionId(std::string_view id) {
  if (id.empty() || id.size() > kMaxSessionIdLength) return false;
  for (char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

// One exchange with the endpoint; a deadline of SteadyTime::max() sets no overall limit (a
// long-lived GET stream). A deadline already passed still gets the shortest timeout, so the
// transfer fails as timed out rather than running unbounded.
HttpRequest Exchange(std::string method, const std::string& url, std::vector<std::string> headers,
                     SteadyTime deadline, CancellationToken cancel, std::string body = {}) {
  Duration total{0};
  if (deadline != SteadyTime::max()) {
    total = std::max<Duration>(std::chrono::milliseconds(1), deadline - std::chrono::steady_clock::now());
  }
  return HttpRequest{.method = std::move(method), .url = url, .headers = std::move(headers),
                     .body = std::move(body), .connect_timeout = kConnectTimeout, .total_timeout = total,
                     .poll_interval = kPollSlice, .accept_compressed = true, .cancel = std::move(cancel)};
}

std::string ContentType(const HttpHeaders& headers) {
  auto it = headers.find("content-type");
  if (it == headers.end()) return "";
  std::string t = it->second.substr(0, it->second.find(';'));
  for (char& c : t)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  while (!t.empty() && t.back() == ' ') t.pop_back();
  return t;
}

// Reads one response body (JSON or SSE) and delivers its messages. Tracks whether the
// response to `want` arrived, and the SSE stream's resumption state.
class BodyReader {
 public:
  BodyReader(const McpServerConfig& config, const TransportEvents& events, const nlohmann::json* want)
      : config_(config), events_(events), want_(want),
        sse_([this](const SseEvent& e) { return OnEvent(e); }, config.max_message_bytes) {}

  // The body sink of CurlPool::Perform.
  bool Feed(int status, const HttpHeaders& headers, std::string_view bytes) {
    if (mode_ == Mode::kUnknown) {
      const std::string type = ContentType(headers);
      mode_ = type == "text/event-stream" ? Mode::kSse : Mode::kJson;
    }
    if (status < 200 || status >= 300) mode_ = Mode::kJson;  // an error body: keep a bounded copy
    if (mode_ == Mode::kJson) {
      if (body_.size() + bytes.size() > config_.max_message_bytes) {
        error_ = "the server's answer is larger than " + std::to_string(config_.max_message_bytes) +
                 " bytes (the limit is max_message_bytes)";
        return false;
      }
      body_.append(bytes);
      return true;
    }
    if (!sse_.Feed(bytes)) {
      if (sse_.line_too_long() && error_.empty())
        error_ = "the server sent an event larger than " + std::to_string(config_.max_message_bytes) +
                 " bytes (the limit is max_message_bytes)";
      return false;
    }
    return !(got_response_ && want_);  // the answer is in: stop reading
  }

  // After the transfer, for a JSON body: parse and deliver it.
  void FinishJson() {
    if (mode_ != Mode::kJson || body_.empty() || !error_.empty()) return;
    Result<nlohmann::json> parsed = ParseMessage(body_, kMcpMaxJsonDepth);
    if (!parsed.ok()) {
      error_ = "the server's answer is not JSON-RPC (" + parsed.status().message() + "): \"" + ShowableText(body_, 120) + "\"";
      return;
    }
    Deliver(std::move(*parsed));
  }

  bool sse() const { return mode_ == Mode::kSse; }
  bool got_response() const { return got_response_; }
  const std::string& error() const { return error_; }
  const std::string& body() const { return body_; }
  std::string last_event_id() const { return sse_.last_event_id(); }
  std::optional<int64_t> retry_ms() const { return sse_.retry_ms(); }

 private:
  enum class Mode { kUnknown, kJson, kSse };

  bool OnEvent(const SseEvent& e) {
    if (!e.event.empty() && e.event != "message") return true;
    if (e.data.find_first_not_of(" \t\r\n") == std::string::npos) return true;  // priming / keep-alive
    Result<nlohmann::json> parsed = ParseMessage(e.data, kMcpMaxJsonDepth);
    if (!parsed.ok()) {
      // Attribute it when the head or tail names the request; otherwise it is noise.
      auto id = RecoverId(std::string_view(e.data).substr(0, 256),
                          std::string_view(e.data).substr(e.data.size() > 256 ? e.data.size() - 256 : 0));
      if (id && want_ && *id == *want_) {
        error_ = "the server's answer is not JSON-RPC (" + parsed.status().message() + ")";
        return false;
      }
      if (events_.noise) events_.noise(ShowableText(e.data, 120));
      return true;
    }
    Deliver(std::move(*parsed));
    return !(got_response_ && want_);
  }

  void Deliver(nlohmann::json message) {
    auto one = [&](nlohmann::json m) {
      if (want_ && Classify(m) == MessageKind::kResponse && m["id"] == *want_) got_response_ = true;
      events_.message(std::move(m));
    };
    if (message.is_array()) {
      for (auto& m : message) one(std::move(m));
    } else {
      one(std::move(message));
    }
  }

  const McpServerConfig& config_;
  const TransportEvents& events_;
  const nlohmann::json* want_;
  SseParser sse_;
  Mode mode_ = Mode::kUnknown;
  std::string body_;
  std::string error_;
  bool got_response_ = false;
};

class HttpTransport final : public Transport {
 public:
  explicit HttpTransport(McpServerConfig config) : config_(std::move(config)) {
    for (const auto& [k, v] : config_.headers) {
      const std::string value = ExpandEnvReferences(v);
      RegisterSecret(value);
      extra_headers_.push_back(k + ": " + value);
    }
  }
  ~HttpTransport() override { Close(); }

  const char* kind() const override { return "http"; }

  Status Start(TransportEvents events) override {
    events_ = std::move(events);
    return Status::Ok();
  }

  void Initialized(const std::string& protocol_version) override {
    {
      std::lock_guard lock(mu_);
      protocol_version_ = protocol_version;
    }
    stream_ = std::thread([this] { StreamLoop(); });
  }

  Status Send(const nlohmann::json& message, const SendOptions& options) override {
    if (closed_) return Status::Unavailable("the session is closed");
    const bool initialize = message.value("method", "") == "initialize";
    HttpRequest call = Exchange("POST", config_.url, Headers(!initialize), options.deadline, options.cancel,
                                DumpJson(message));
    call.headers.push_back("Content-Type: application/json");
    call.headers.push_back("Accept: application/json, text/event-stream");
    BodyReader reader(config_, events_, options.request_id);
    const HttpResult reply = http_.Perform(call, [&](int status, const HttpHeaders& headers, std::string_view bytes) {
      return reader.Feed(status, headers, bytes);
    });
    if (initialize && reply.status >= 200 && reply.status < 300) {
      if (auto it = reply.headers.find("mcp-session-id"); it != reply.headers.end()) {
        if (!ValidSessionId(it->second)) return Status::Unavailable("the server sent an invalid Mcp-Session-Id");
        std::lock_guard lock(mu_);
        session_id_ = it->second;
      }
    }
    REAGENT_RETURN_IF_ERROR(TransferStatus(reply, reader, options));
    if (reply.status == 404 && HasSession()) return Status::Expired("the server ended the session (HTTP 404)");
    if (reply.status < 200 || reply.status >= 300) {
      reader.FinishJson();  // a JSON-RPC error answer is delivered like any other
      if (options.request_id && reader.got_response()) return Status::Ok();
      return Status::Unavailable("HTTP " + std::to_string(reply.status) + " from the server" +
                                 (reader.body().empty() ? "" : ": " + ShowableText(reader.body(), 200)));
    }
    if (!options.request_id) return Status::Ok();  // 202 or anything else for a notification
    reader.FinishJson();
    if (!reader.error().empty()) return Status::Unavailable(reader.error());
    if (reader.got_response()) return Status::Ok();
    if (reader.sse() && !reader.last_event_id().empty()) return Resume(reader, options);
    if (reply.status == 202) return Status::Unavailable("the server accepted the request (HTTP 202) but sent no answer");
    return Status::Unavailable(reader.sse() ? "the server closed the event stream without answering"
                                            : "the server's answer did not contain the response");
  }

  void Close() override {
    if (closed_.exchange(true)) return;
    stream_cancel_.Cancel();
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (stream_.joinable()) stream_.join();
    if (HasSession()) {
      const HttpRequest call =
          Exchange("DELETE", config_.url, Headers(true), std::chrono::steady_clock::now() + kDeleteTimeout, {});
      http_.Perform(call, [](int, const HttpHeaders&, std::string_view) { return true; });  // 405 is fine too
    }
  }

 private:
  bool HasSession() {
    std::lock_guard lock(mu_);
    return !session_id_.empty();
  }

  std::vector<std::string> Headers(bool with_session) {
    std::vector<std::string> h = extra_headers_;
    std::lock_guard lock(mu_);
    if (with_session && !session_id_.empty()) h.push_back("Mcp-Session-Id: " + session_id_);
    if (!protocol_version_.empty()) h.push_back("MCP-Protocol-Version: " + protocol_version_);
    return h;
  }

  Status TransferStatus(const HttpResult& reply, const BodyReader& reader, const SendOptions& options) {
    switch (reply.outcome) {
      case TransferOutcome::kCompleted: return Status::Ok();
      case TransferOutcome::kAborted:
        return reader.error().empty() ? Status::Ok() : Status::Unavailable(reader.error());
      case TransferOutcome::kCancelled: return Status::Cancelled("cancelled");
      case TransferOutcome::kTimedOut:
        if (reader.got_response()) return Status::Ok();
        // libcurl's timer was set from the deadline and may fire a hair before it.
        return options.deadline != SteadyTime::max() ? Status::DeadlineExceeded("no answer in time")
                                                     : Status::Unavailable("the connection timed out: " + reply.detail);
      case TransferOutcome::kNetwork:
      case TransferOutcome::kTruncated:  // a body cut short is a dropped connection here
        if (reader.got_response()) return Status::Ok();
        // A dropped SSE stream with an event id is resumable; the caller decides.
        if (reader.sse() && !reader.last_event_id().empty()) return Status::Ok();
        return Status::Unavailable("cannot reach " + DescribeMcpEndpoint(config_).substr(6) + ": " + reply.detail);
    }
    return Status::Internal("unknown transfer outcome");
  }

  // GET + Last-Event-ID until the response arrives, honouring the server's retry delay.
  Status Resume(const BodyReader& first, const SendOptions& options) {
    std::string last_id = first.last_event_id();
    std::optional<int64_t> retry = first.retry_ms();
    for (int attempt = 0; attempt < kMaxResumeAttempts; ++attempt) {
      const auto delay = retry ? std::chrono::milliseconds(*retry) : kDefaultRetryDelay;
      if (std::chrono::steady_clock::now() + delay >= options.deadline)
        return Status::DeadlineExceeded("no answer in time (the event stream dropped)");
      if (WaitFor(delay, options.cancel)) return Status::Cancelled("cancelled");
      HttpRequest call = Exchange("GET", config_.url, Headers(true), options.deadline, options.cancel);
      call.headers.push_back("Accept: text/event-stream");
      call.headers.push_back("Last-Event-ID: " + last_id);
      BodyReader reader(config_, events_, options.request_id);
      const HttpResult reply = http_.Perform(call, [&](int status, const HttpHeaders& headers, std::string_view bytes) {
        return reader.Feed(status, headers, bytes);
      });
      if (reader.got_response()) return Status::Ok();
      if (!reader.error().empty()) return Status::Unavailable(reader.error());
      if (reply.outcome == TransferOutcome::kCancelled) return Status::Cancelled("cancelled");
      if (reply.status == 405) return Status::Unavailable("the event stream dropped and the server cannot resume it (HTTP 405)");
      if (reply.status == 404 && HasSession()) return Status::Expired("the server ended the session (HTTP 404)");
      if (!reader.last_event_id().empty()) last_id = reader.last_event_id();
      if (reader.retry_ms()) retry = reader.retry_ms();
    }
    return Status::Unavailable("the event stream dropped and could not be resumed after " +
                               std::to_string(kMaxResumeAttempts) + " attempts");
  }

  // Sleeps unless cancelled or closing; true when it should stop.
  bool WaitFor(std::chrono::milliseconds d, const CancellationToken& cancel) {
    std::unique_lock lock(mu_);
    const int sub = cancel.OnCancel([this] { cv_.notify_all(); });
    const bool stop = cv_.wait_for(lock, d, [&] { return stop_ || cancel.cancelled(); });
    lock.unlock();
    cancel.Unsubscribe(sub);
    return stop;
  }

  // The optional GET stream for server-initiated messages.
  void StreamLoop() {
    std::string last_id;
    std::optional<int64_t> retry;
    int failures = 0;
    auto backoff = std::chrono::milliseconds(1000);
    while (!stream_cancel_.cancelled()) {
      HttpRequest call = Exchange("GET", config_.url, Headers(true), SteadyTime::max(), stream_cancel_.token());
      call.headers.push_back("Accept: text/event-stream");
      if (!last_id.empty()) call.headers.push_back("Last-Event-ID: " + last_id);
      BodyReader reader(config_, events_, nullptr);
      const HttpResult reply = http_.Perform(call, [&](int status, const HttpHeaders& headers, std::string_view bytes) {
        return status >= 200 && status < 300 && reader.Feed(status, headers, bytes);
      });
      if (stream_cancel_.cancelled()) return;
      if (reply.status == 405) return;  // the server offers no such stream
      const bool opened = reply.status >= 200 && reply.status < 300 && reader.sse();
      if (!reader.last_event_id().empty()) last_id = reader.last_event_id();
      if (reader.retry_ms()) retry = reader.retry_ms();
      if (!opened) {
        if (++failures >= kMaxStreamFailures) {
          Logger()->debug("mcp {}: no server event stream (HTTP {}): {}", config_.name, reply.status, reply.detail);
          return;
        }
        if (reply.status >= 400 && reply.status < 500) return;  // refused: do not insist
      } else {
        failures = 0;
      }
      auto delay = retry ? std::chrono::milliseconds(*retry) : backoff;
      backoff = std::min(kMaxStreamBackoff, backoff * 3 / 2);
      if (WaitFor(delay, {})) return;
    }
  }

  McpServerConfig config_;
  std::vector<std::string> extra_headers_;
  TransportEvents events_;
  internal::CurlPool http_{kMaxIdleHandles};
  std::atomic<bool> closed_{false};

  std::mutex mu_;  // session_id_, protocol_version_, stop_
  std::condition_variable cv_;
  std::string session_id_;
  std::string protocol_version_;
  bool stop_ = false;

  CancellationSource stream_cancel_;
  std::thread stream_;
};

}  // namespace

std::unique_ptr<Transport> MakeHttpTransport(const McpServerConfig& config) {
  return std::make_unique<HttpTransport>(config);
}

}  // namespace reagent::mcp_internal
