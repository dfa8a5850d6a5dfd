#include "reagent/mockllm/mock_llm_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <mutex>
#include <thread>

#include "elastic_task_queue.h"
#include "mock_replies.h"
#include "reagent/core/json.h"
#include "reagent/core/random.h"
#include "reagent/llm/http_headers.h"
#include "reagent/llm/scripted_reply.h"
#include "reagent/mockllm/mock_brain.h"
#include "reagent/mockllm/sliding_window.h"

namespace reagent::mockllm {
namespace {

using nlohmann::json;

constexpr std::string_view kAnyModel = "*";
constexpr size_t kIdChars = 29;
constexpr size_t kCallIdChars = 24;
constexpr time_t kKeepAliveSeconds = 2;
constexpr size_t kKeepAliveMaxRequests = 10000;  // httplib's default of 5 defeats reuse
constexpr int kGatewayTimeout = 504;

Duration Millis(int64_t ms) { return std::chrono::milliseconds(ms); }

struct Atomics {
  std::atomic<int64_t> requests{0}, ok{0}, streamed{0}, rate_limited{0}, quota_exhausted{0},
      unauthorized{0}, bad_requests{0}, injected_failures{0}, outage{0}, garbage{0},
      scripted_errors{0}, prompt_tokens{0}, completion_tokens{0};
};

void Bump(std::atomic<int64_t>& c, int64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }

}  // namespace

struct MockLlmServer::State {
  explicit State(MockLlmOptions o)
      : options(std::move(o)),
        clock(options.clock ? options.clock : &SystemClock::Default()),
        random(options.seed),
        requests(options.rpm, options.rate_window),
        tokens(options.tpm, options.rate_window) {}

  MockLlmOptions options;
  Clock* clock;
  SeededRandom random;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool started = false;
  TimePoint start;
  CancellationSource stop;
  Atomics counters;

  std::mutex mu;  // guards the windows and the script queues
  SlidingWindow requests, tokens;
  std::map<std::string, std::deque<ScriptedReply>, std::less<>> script;
  bool scripted = false;
  std::set<std::pair<std::string, int>> clients;  // (address, port) of each connection seen

  Status LoadScript();
  void Routes();
  void HandleCompletion(const httplib::Request& req, httplib::Response& res);
  void SetRateHeaders(httplib::Response& res, const SlidingWindow::Decision& r, const SlidingWindow::Decision& t);
  bool Admit(const json& body, httplib::Response& res);
  void Reply(const json& body, const std::string& model, bool stream, ReplyContent reply, httplib::Response& res);
  void ReplyScripted(const json& body, const std::string& model, bool stream, httplib::Response& res);
  void Garbage(bool stream, ReplyContent reply, httplib::Response& res);
  void Error(httplib::Response& res, int status, const std::string& message, const std::string& code,
             std::atomic<int64_t>& counter, const std::string& type = "");
};

Status MockLlmServer::State::LoadScript() {
  const json& s = options.script;
  if (s.is_null()) return Status::Ok();
  scripted = true;
  auto add = [&](const std::string& model, const json& replies, const std::string& where) -> Status {
    auto parsed = ParseScriptedReplies(replies, where, model);
    if (!parsed.ok()) return parsed.status();
    script[model] = std::deque<ScriptedReply>(parsed->begin(), parsed->end());
    return Status::Ok();
  };
  if (s.is_array()) return add(std::string(kAnyModel), s, "script");
  if (!s.is_object()) {
    return Status::InvalidArgument("script: expected an array of replies or an object of models, got " +
                                   std::string(JsonTypeName(s)));
  }
  const json& models = s.contains("models") ? s["models"] : s;
  std::string prefix = s.contains("models") ? "script.models." : "script.";
  if (!models.is_object()) return Status::InvalidArgument(prefix + ": expected an object");
  for (const auto& [model, replies] : models.items()) {
    REAGENT_RETURN_IF_ERROR(add(model, replies, prefix + model));
  }
  return Status::Ok();
}

void MockLlmServer::State::Error(httplib::Response& res, int status, const std::string& message,
                                 const std::string& code, std::atomic<int64_t>& counter,
                                 const std::string& type) {
  Bump(counter);
  res.status = status;
  res.set_content(ErrorBody(message, type.empty() ? ErrorTypeFor(status) : type, code), "application/json");
}

void MockLlmServer::State::SetRateHeaders(httplib::Response& res, const SlidingWindow::Decision& r,
                                          const SlidingWindow::Decision& t) {
  if (!requests.unlimited()) {
    res.set_header("x-ratelimit-limit-requests", std::to_string(requests.limit()));
    res.set_header("x-ratelimit-remaining-requests", std::to_string(std::max<int64_t>(0, r.remaining)));
    res.set_header("x-ratelimit-reset-requests", FormatGoDuration(ToSeconds(r.reset)));
  }
  if (!tokens.unlimited()) {
    res.set_header("x-ratelimit-limit-tokens", std::to_string(tokens.limit()));
    res.set_header("x-ratelimit-remaining-tokens", std::to_string(std::max<int64_t>(0, t.remaining)));
    res.set_header("x-ratelimit-reset-tokens", FormatGoDuration(ToSeconds(t.reset)));
  }
}

// Applies the rpm/tpm windows; on refusal writes the 429 and returns false.
bool MockLlmServer::State::Admit(const json& body, httplib::Response& res) {
  if (requests.unlimited() && tokens.unlimited()) return true;
  int64_t estimate = EstimatePromptTokens(body);
  // The client's numbers, bounded before they enter a sum.
  auto allowance = [](const json& v) { return std::clamp<int64_t>(v.get<int64_t>(), 0, int64_t{1} << 40); };
  if (auto it = body.find("max_tokens"); it != body.end() && it->is_number_integer()) estimate += allowance(*it);
  else if (auto mc = body.find("max_completion_tokens"); mc != body.end() && mc->is_number_integer()) estimate += allowance(*mc);
  std::string model = body.contains("model") && body["model"].is_string() ? body["model"].get<std::string>() : "";
  std::lock_guard lock(mu);
  TimePoint now = clock->Now();
  SlidingWindow::Decision r = requests.TryAdmit(now, 1);
  SlidingWindow::Decision t = r.admitted ? tokens.TryAdmit(now, estimate) : tokens.Peek(now);
  SetRateHeaders(res, r, t);
  if (r.admitted && t.admitted) return true;
  const bool by_requests = !r.admitted;
  const SlidingWindow::Decision& d = by_requests ? r : t;
  std::string message;
  if (d.never_fits) {
    message = "Request too large for " + model + " on tokens per min (TPM): Limit " +
              std::to_string(tokens.limit()) + ", Requested " + std::to_string(estimate) +
              ". The input or output tokens must be reduced in order to run successfully.";
  } else {
    double wait = std::max(0.001, ToSeconds(d.retry_after));
    res.set_header("retry-after", std::to_string(static_cast<int64_t>(std::ceil(wait))));
    res.set_header("retry-after-ms", std::to_string(static_cast<int64_t>(std::ceil(wait * 1e3))));
    message = "Rate limit reached for " + model + " in organization org-mockllm on " +
              (by_requests ? "requests per min (RPM): Limit " + std::to_string(requests.limit()) +
                                 ", Used " + std::to_string(requests.limit()) + ", Requested 1."
                           : "tokens per min (TPM): Limit " + std::to_string(tokens.limit()) +
                                 ", Used " + std::to_string(tokens.limit() - t.remaining) +
                                 ", Requested " + std::to_string(estimate) + ".") +
              " Please try again in " + FormatGoDuration(wait) +
              ". Visit https://platform.openai.com/account/rate-limits to learn more.";
  }
  Error(res, 429, message, "rate_limit_exceeded", counters.rate_limited, by_requests ? "requests" : "tokens");
  return false;
}

void MockLlmServer::State::Reply(const json& body, const std::string& model, bool stream,
                                 ReplyContent reply, httplib::Response& res) {
  reply.id = "chatcmpl-" + RandomAlnum(random, kIdChars);
  reply.model = model;
  reply.created = static_cast<int64_t>(ToUnixSeconds(clock->WallNow()));
  for (ToolCall& c : reply.tool_calls) {
    if (c.id.empty() || c.id.starts_with("call_") == false) c.id = "call_" + RandomAlnum(random, kCallIdChars);
  }
  Bump(counters.ok);
  Bump(counters.prompt_tokens, reply.usage.prompt_tokens);
  Bump(counters.completion_tokens, reply.usage.completion_tokens);
  res.set_header("openai-processing-ms", "1");
  if (!stream) {
    res.set_content(DumpJson(CompletionBody(reply)), "application/json");
    return;
  }
  Bump(counters.streamed);
  bool include_usage = body.contains("stream_options") && body["stream_options"].is_object() &&
                       body["stream_options"].contains("include_usage") &&
                       body["stream_options"]["include_usage"] == true;
  auto events = std::make_shared<std::vector<std::string>>(
      StreamEvents(reply, options.stream_chunk_chars, include_usage));
  if (!options.send_done) events->pop_back();
  size_t piece = options.sse_write_bytes;
  Duration delay = Millis(options.stream_delay_ms);
  Clock* c = clock;
  CancellationToken stopping = stop.token();
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider("text/event-stream", [events, piece, delay, c, stopping](size_t, httplib::DataSink& sink) {
    for (size_t i = 0; i < events->size(); ++i) {
      if (i > 0 && delay > Duration{0} && !c->SleepFor(delay, stopping)) return false;
      const std::string& e = (*events)[i];
      size_t step = piece == 0 ? e.size() : piece;
      for (size_t pos = 0; pos < e.size(); pos += step) {
        if (!sink.write(e.data() + pos, std::min(step, e.size() - pos))) return false;
      }
    }
    sink.done();
    return true;
  });
}

void MockLlmServer::State::Garbage(bool stream, ReplyContent reply, httplib::Response& res) {
  Bump(counters.garbage);
  reply.id = "chatcmpl-" + RandomAlnum(random, kIdChars);
  reply.created = static_cast<int64_t>(ToUnixSeconds(clock->WallNow()));
  if (!stream) {
    std::string body = DumpJson(CompletionBody(reply));
    res.set_content(body.substr(0, body.size() / 2), "application/json");
    return;
  }
  std::vector<std::string> events = StreamEvents(reply, options.stream_chunk_chars, false);
  std::string text = events.front();
  if (events.size() > 2) text += events[1];
  // Half the time an invalid chunk, otherwise a clean end without finish_reason or [DONE].
  if (random.Uniform() < 0.5) text += "data: {\"id\":\"" + reply.id + "\",\"choices\":[{\"delta\":{\"content\":\"tru\n\n";
  res.set_content(text, "text/event-stream");
}

void MockLlmServer::State::ReplyScripted(const json& body, const std::string& model, bool stream,
                                         httplib::Response& res) {
  std::optional<ScriptedReply> next;
  {
    std::lock_guard lock(mu);
    auto it = script.find(model);
    if (it == script.end()) it = script.find(kAnyModel);
    if (it != script.end() && !it->second.empty()) {
      next = std::move(it->second.front());
      it->second.pop_front();
    }
  }
  if (!next) {
    Error(res, 500, "script exhausted for model " + model, "script_exhausted", counters.scripted_errors);
    return;
  }
  switch (next->kind) {
    case ScriptedReply::Kind::kError: {
      const ModelError& e = next->error;
      if (e.retry_after_s) {
        // Whole seconds as the script says them, however large ("%.0f" never overflows).
        char seconds[64];
        std::snprintf(seconds, sizeof seconds, "%.0f", std::ceil(*e.retry_after_s));
        res.set_header("retry-after", seconds);
        if (*e.retry_after_s < 1e12) {
          res.set_header("retry-after-ms", std::to_string(static_cast<int64_t>(std::ceil(*e.retry_after_s * 1e3))));
        }
      }
      std::string type = e.code == "insufficient_quota" ? "insufficient_quota" : ErrorTypeFor(e.http_status);
      Error(res, e.http_status, e.message, e.code, counters.scripted_errors, type);
      return;
    }
    case ScriptedReply::Kind::kTimeout:
      clock->SleepFor(Millis(options.timeout_hold_ms), stop.token());
      Error(res, kGatewayTimeout, "Gateway Timeout", "", counters.scripted_errors);
      return;
    case ScriptedReply::Kind::kContent:
    case ScriptedReply::Kind::kToolCalls:
      break;
  }
  ReplyContent reply{.content = next->content, .tool_calls = next->tool_calls};
  ScriptedUsage u = next->usage.value_or(ScriptedUsage{});
  reply.usage.prompt_tokens = u.prompt_tokens.value_or(EstimatePromptTokens(body));
  int64_t counted = EstimateTextTokens(reply.content);
  for (const ToolCall& c : reply.tool_calls) counted += EstimateTextTokens(c.name + c.arguments);
  reply.usage.completion_tokens = u.completion_tokens.value_or(counted);
  reply.usage.cached_tokens = u.cached_tokens;
  Reply(body, model, stream, std::move(reply), res);
}

void MockLlmServer::State::HandleCompletion(const httplib::Request& req, httplib::Response& res) {
  Bump(counters.requests);
  {
    std::lock_guard lock(mu);
    clients.emplace(req.remote_addr, req.remote_port);
  }
  res.set_header("x-request-id", "req_" + RandomAlnum(random, kCallIdChars));
  if (!options.require_key.empty() && req.get_header_value("Authorization") != "Bearer " + options.require_key) {
    Error(res, 401,
          "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
          "invalid_api_key", counters.unauthorized);
    return;
  }
  auto parsed = ParseJson(req.body, "request body");
  if (!parsed.ok() || !parsed->is_object()) {
    Error(res, 400,
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
          "HTTP library correctly.)",
          "", counters.bad_requests);
    return;
  }
  const json& body = *parsed;
  if (!body.contains("model") || !body["model"].is_string() || body["model"].get<std::string>().empty()) {
    Error(res, 400, "you must provide a model parameter", "", counters.bad_requests);
    return;
  }
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty()) {
    Error(res, 400, "Missing required parameter: 'messages'.", "missing_required_parameter", counters.bad_requests);
    return;
  }
  std::string model = body["model"].get<std::string>();
  bool stream = body.contains("stream") && body["stream"] == true;
  double since_start = ToSeconds(clock->Now() - start);
  if (options.outage && since_start >= options.outage->first && since_start < options.outage->second) {
    Error(res, 503, "The server is overloaded or not ready yet.", "", counters.outage);
    return;
  }
  if (options.quota_exhausted) {
    Error(res, 429,
          "You exceeded your current quota, please check your plan and billing details. For more information "
          "on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
          "insufficient_quota", counters.quota_exhausted, "insufficient_quota");
    return;
  }
  if (!Admit(body, res)) return;
  Duration wait = Millis(options.latency_ms);
  if (options.jitter_ms > 0) wait += Millis(static_cast<int64_t>(random.Uniform() * static_cast<double>(options.jitter_ms)));
  if (wait > Duration{0}) clock->SleepFor(wait, stop.token());
  double fail_dice = random.Uniform(), garbage_dice = random.Uniform(), kind_dice = random.Uniform();
  if (fail_dice < options.fail_rate) {
    int status = kind_dice < 1.0 / 3 ? 500 : kind_dice < 2.0 / 3 ? 502 : 503;
    if (status == 502) {
      Bump(counters.injected_failures);
      res.status = 502;
      res.set_content("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
                      "Gateway</h1></center>\r\n</body>\r\n</html>\r\n", "text/html");
      return;
    }
    Error(res, status,
          status == 500 ? "The server had an error while processing your request. Sorry about that!"
                        : "The server is overloaded or not ready yet.",
          "", counters.injected_failures);
    return;
  }
  if (scripted) {
    if (garbage_dice < options.garbage_rate) {
      Garbage(stream, ReplyContent{.model = model, .content = "truncated reply"}, res);
      return;
    }
    ReplyScripted(body, model, stream, res);
    return;
  }
  BrainReply thought = Think(body);
  ReplyContent reply{.content = thought.content, .tool_calls = thought.tool_calls};
  reply.model = model;
  reply.usage.prompt_tokens = EstimatePromptTokens(body);
  reply.usage.completion_tokens = EstimateTextTokens(reply.content);
  for (const ToolCall& c : reply.tool_calls) reply.usage.completion_tokens += EstimateTextTokens(c.name + c.arguments);
  if (garbage_dice < options.garbage_rate) {
    Garbage(stream, std::move(reply), res);
    return;
  }
  Reply(body, model, stream, std::move(reply), res);
}

void MockLlmServer::State::Routes() {
  auto completion = [this](const httplib::Request& req, httplib::Response& res) { HandleCompletion(req, res); };
  server.Post("/v1/chat/completions", completion);
  server.Post("/chat/completions", completion);
  server.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    json data = json::array();
    auto created = static_cast<int64_t>(ToUnixSeconds(clock->WallNow()));
    for (const std::string& m : options.models) {
      data.push_back({{"id", m}, {"object", "model"}, {"created", created}, {"owned_by", "mockllm"}});
    }
    res.set_content(DumpJson(json{{"object", "list"}, {"data", data}}), "application/json");
  });
  server.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
}

MockLlmServer::MockLlmServer(MockLlmOptions options) : state_(std::make_unique<State>(std::move(options))) {}

MockLlmServer::~MockLlmServer() { Stop(); }

Status MockLlmServer::Start() {
  State& s = *state_;
  if (s.started) return Status::FailedPrecondition("mock-llm: already started");
  const MockLlmOptions& o = s.options;
  auto probability = [](double p) { return p >= 0 && p <= 1; };
  if (!probability(o.fail_rate) || !probability(o.garbage_rate)) {
    return Status::InvalidArgument("mock-llm: fail_rate and garbage_rate must be within [0, 1]");
  }
  if (o.rate_window <= Duration::zero()) return Status::InvalidArgument("mock-llm: the rate window must be positive");
  if (o.rpm < 0 || o.tpm < 0 || o.latency_ms < 0 || o.jitter_ms < 0 || o.stream_delay_ms < 0) {
    return Status::InvalidArgument("mock-llm: rpm, tpm and delays must not be negative");
  }
  if (o.outage && !(o.outage->first >= 0 && o.outage->second > o.outage->first)) {
    return Status::InvalidArgument("mock-llm: outage must be START:END with 0 <= START < END");
  }
  REAGENT_RETURN_IF_ERROR(s.LoadScript());
  size_t threads = std::max<size_t>(1, o.threads);
  s.server.new_task_queue = [threads] { return new ElasticTaskQueue(threads); };
  s.server.set_payload_max_length(o.max_body_bytes);
  // Before any body is read: a Content-Length httplib would take for 2^64 - 1 ("-1") would
  // hold the worker reading a body that never comes.
  const size_t max_body = o.max_body_bytes;
  s.server.set_pre_routing_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Content-Length")) return httplib::Server::HandlerResponse::Unhandled;
    const std::string value = req.get_header_value("Content-Length");
    const bool decimal = !value.empty() && value.size() <= 19 &&
                         value.find_first_not_of("0123456789") == std::string::npos;
    if (decimal && std::stoull(value) <= max_body) return httplib::Server::HandlerResponse::Unhandled;
    res.status = decimal ? 413 : 400;
    const std::string body =
        ErrorBody(decimal ? "Request body of " + value + " bytes is over the limit of " +
                                std::to_string(max_body) + " bytes"
                          : "Invalid Content-Length header: " + value.substr(0, 40),
                  "invalid_request_error", "");
    // The unread body may follow on this connection: answer, then close it (a provider that
    // fails after writing everything makes httplib drop the connection).
    res.set_header("Connection", "close");
    res.set_content_provider(body.size(), "application/json",
                             [body](size_t offset, size_t, httplib::DataSink& sink) {
                               sink.write(body.data() + offset, body.size() - offset);
                               return false;
                             });
    return httplib::Server::HandlerResponse::Handled;
  });
  s.server.set_keep_alive_timeout(kKeepAliveSeconds);
  s.server.set_keep_alive_max_count(kKeepAliveMaxRequests);
  s.server.set_tcp_nodelay(true);  // replies go out at once, not after the peer's delayed ACK
  s.Routes();
  int listen_fd = -1;
  s.server.set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  s.port = o.port == 0 ? s.server.bind_to_any_port(o.host) : (s.server.bind_to_port(o.host, o.port) ? o.port : -1);
  if (s.port <= 0) {
    return Status::Unavailable("mock-llm: cannot listen on " + o.host + ":" + std::to_string(o.port));
  }
  // httplib listens with a backlog of 5: a burst of clients overflows it and each dropped SYN
  // costs its client a one-second retransmit. Listening again only raises the backlog.
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  s.start = s.clock->Now();
  s.started = true;
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs; Start returns only once it does.
  while (!s.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::Ok();
}

void MockLlmServer::Stop() {
  State& s = *state_;
  if (!s.started) return;
  s.stop.Cancel();
  s.server.stop();
  if (s.thread.joinable()) s.thread.join();
  s.started = false;
}

int MockLlmServer::port() const { return state_->port; }

std::string MockLlmServer::base_url() const {
  return "http://" + state_->options.host + ":" + std::to_string(state_->port) + "/v1";
}

MockLlmCounters MockLlmServer::counters() const {
  const Atomics& a = state_->counters;
  int64_t connections = 0;
  {
    std::lock_guard lock(state_->mu);
    connections = static_cast<int64_t>(state_->clients.size());
  }
  auto get = [](const std::atomic<int64_t>& v) { return v.load(std::memory_order_relaxed); };
  return {get(a.requests), get(a.ok), get(a.streamed), get(a.rate_limited), get(a.quota_exhausted),
          get(a.unauthorized), get(a.bad_requests), get(a.injected_failures), get(a.outage),
          get(a.garbage), get(a.scripted_errors), get(a.prompt_tokens), get(a.completion_tokens), connections};
}

}  // namespace reagent::mockllm
