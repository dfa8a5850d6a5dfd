#include "reagent/server/server.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "openai_format.h"
#include "reagent/core/logging.h"
#include "reagent/llm/circuit_breaker.h"
#include "server_context.h"

// The chat page, linked into the binary (server/web/chat.html).
extern "C" const unsigned char reagent_chat_page[];
extern "C" const unsigned char reagent_chat_page_end[];

namespace reagent::server {
namespace {

HttpResponse ChatPage() {
  HttpResponse r;
  r.content_type = "text/html; charset=utf-8";
  r.body.assign(reinterpret_cast<const char*>(reagent_chat_page),
                static_cast<size_t>(reagent_chat_page_end - reagent_chat_page));
  // The page talks only to this server and runs only its own script.
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                         "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  return r;
}

double BreakerValue(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed: return 0;
    case BreakerState::kHalfOpen: return 1;
    case BreakerState::kOpen: return 2;
  }
  return 0;
}

void RefreshGauges(ServerContext& ctx) {
  Metrics& m = ctx.metrics;
  m.Set("reagent_turns_running", {}, static_cast<double>(ctx.turns.running()));
  m.Set("reagent_turns_waiting", {}, static_cast<double>(ctx.turns.queued()));
  m.Set("reagent_open_streams", {}, static_cast<double>(ctx.listener ? ctx.listener->open_streams() : 0));
  m.Set("reagent_open_connections", {}, static_cast<double>(ctx.listener ? ctx.listener->open_connections() : 0));
  m.Set("reagent_draining", {}, ctx.draining.load() ? 1 : 0);
  for (const FallbackEntry& e : ctx.runtime->chain->entries()) {
    if (!e.breaker) continue;
    m.Set("reagent_breaker_state", {{"model", e.model_name.empty() ? e.model->name() : e.model_name}},
          BreakerValue(e.breaker->state()));
  }
}

void Ready(ServerContext& ctx, Exchange& ex) {
  Json checks = Json::object();
  bool ok = true;
  if (ctx.draining.load()) {
    checks["accepting"] = "draining";
    ok = false;
  } else {
    checks["accepting"] = "ok";
  }
  // A point query the store must answer: NotFound means it is reachable and readable.
  auto probe = ctx.runtime->sessions->GetInfo("readiness-probe");
  if (probe.ok() || probe.status().code() == StatusCode::kNotFound) {
    checks["store"] = "ok";
  } else {
    checks["store"] = probe.status().ToString();
    ok = false;
  }
  int usable = 0;
  Json models = Json::object();
  for (const FallbackEntry& e : ctx.runtime->chain->entries()) {
    const std::string name = e.model_name.empty() ? e.model->name() : e.model_name;
    const BreakerState state = e.breaker ? e.breaker->state() : BreakerState::kClosed;
    models[name] = BreakerStateName(state);
    if (state != BreakerState::kOpen) ++usable;
  }
  checks["models"] = models;
  if (usable == 0) ok = false;
  HttpResponse r = JsonResponse(ok ? 200 : 503, {{"status", ok ? "ready" : "not_ready"}, {"checks", checks}});
  if (!ok) r.headers.emplace_back("Retry-After", RetryAfterValue(ctx.config.retry_after_s));
  ex.Respond(std::move(r));
}

void Models(ServerContext& ctx, Exchange& ex) {
  Json data = Json::array();
  for (const std::string& id : ctx.model_ids) {
    data.push_back({{"id", id}, {"object", "model"}, {"created", ctx.started_unix}, {"owned_by", "reagent"}});
  }
  ex.Respond(JsonResponse(200, {{"object", "list"}, {"data", std::move(data)}}));
}

void Route(ServerContext& ctx, const std::shared_ptr<Exchange>& ex) {
  const HttpRequest& req = ex->request();
  const std::string& path = req.path;
  const bool get = req.method == "GET";
  if (path == "/" || path == "/index.html") {
    if (!get) return ex->Respond(ErrorResponse(405, "invalid_request_error", "method_not_allowed", "use GET"));
    return ex->Respond(ChatPage());
  }
  if (path == "/health") return ex->Respond(JsonResponse(200, {{"status", "ok"}}));
  if (path == "/ready") return Ready(ctx, *ex);
  if (path == "/metrics") {
    RefreshGauges(ctx);
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = ctx.metrics.Render();
    return ex->Respond(std::move(r));
  }
  if (path.rfind("/v1/", 0) != 0) {
    return ex->Respond(ErrorResponse(404, "invalid_request_error", "not_found", fmt::format("no route {} {}", req.method, path.substr(0, 200))));
  }
  auto user = Authenticate(ctx, *ex);
  if (!user) return;
  ex->LogField("user", *user);
  if (path == "/v1/chat/completions") {
    if (req.method != "POST") return ex->Respond(ErrorResponse(405, "invalid_request_error", "method_not_allowed", "use POST"));
    return HandleChatCompletions(ctx, ex, *user);
  }
  if (path == "/v1/models") {
    if (!get) return ex->Respond(ErrorResponse(405, "invalid_request_error", "method_not_allowed", "use GET"));
    return Models(ctx, *ex);
  }
  if (path == "/v1/sessions" || path.rfind("/v1/sessions/", 0) == 0) return HandleSessions(ctx, ex, *user);
  ex->Respond(ErrorResponse(404, "invalid_request_error", "not_found", fmt::format("no route {} {}", req.method, path.substr(0, 200))));
}

// The libraries underneath report errors as values, but a dependency may still throw; one
// request must never take the process down with it.
template <typename Fn>
void Guarded(ServerContext& ctx, const std::shared_ptr<Exchange>& ex, Fn&& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    Logger()->error("serve: {} {}: {}", ex->request().method, ex->request().path, e.what());
    ctx.metrics.Add("reagent_internal_errors_total", {});
    ex->Respond(ErrorResponse(500, "server_error", "internal_error", "internal error; see the server's log"));
  }
}

void Record(ServerContext& ctx, const ExchangeRecord& r) {
  ctx.metrics.Add("reagent_http_requests_total", {{"status", std::to_string(r.status)}});
  if (r.client_gone) ctx.metrics.Add("reagent_client_disconnects_total", {});
  if (ctx.access_log) ctx.access_log->Write(r);
}

}  // namespace

std::optional<std::string> Authenticate(ServerContext& ctx, Exchange& ex) {
  const auto header = ex.request().Header("authorization");
  if (!header) {
    if (ctx.keys.size() == 0 && ctx.config.allow_anonymous) return ctx.config.anonymous_user;
    ctx.metrics.Add("reagent_auth_failures_total", {{"reason", "missing"}});
    ex.Respond(ErrorResponse(401, "invalid_request_error", "missing_api_key",
                             "You didn't provide an API key. Send it as \"Authorization: Bearer <key>\"."));
    return std::nullopt;
  }
  const auto key = BearerToken(*header);
  std::optional<std::string> user = key ? ctx.keys.Authenticate(*key) : std::nullopt;
  if (!user && ctx.keys.size() == 0 && ctx.config.allow_anonymous) return ctx.config.anonymous_user;
  if (!user) {
    ctx.metrics.Add("reagent_auth_failures_total", {{"reason", "invalid"}});
    ex.Respond(ErrorResponse(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided."));
  }
  return user;
}

HttpResponse StatusResponse(const Status& s, double default_retry_after_s) {
  switch (s.code()) {
    case StatusCode::kRateLimited:
      return ErrorResponse(429, "requests", "rate_limit_exceeded", s.message(), s.retry_after_s().value_or(default_retry_after_s));
    case StatusCode::kNotFound:
    case StatusCode::kExpired:
    case StatusCode::kPermissionDenied:
      return ErrorResponse(404, "invalid_request_error", "session_not_found", s.message());
    case StatusCode::kFailedPrecondition:
      return ErrorResponse(409, "invalid_request_error", "session_busy", s.message(), s.retry_after_s().value_or(default_retry_after_s));
    case StatusCode::kInvalidArgument:
      return ErrorResponse(400, "invalid_request_error", "invalid_request", s.message());
    case StatusCode::kResourceExhausted:
      return ErrorResponse(402, "insufficient_quota", "budget_exhausted", s.message());
    case StatusCode::kUnavailable:
      return ErrorResponse(503, "server_error", "unavailable", s.message(), s.retry_after_s().value_or(default_retry_after_s));
    default:
      Logger()->error("serve: {}", s.ToString());
      return ErrorResponse(500, "server_error", "internal_error", "internal error; see the server's log");
  }
}

void DeclareServerMetrics(Metrics& m) {
  const std::vector<double> latency = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  m.DeclareCounter("reagent_turns_total", "Agent turns finished, by stop reason.");
  m.DeclareHistogram("reagent_turn_duration_seconds", "Wall time of a turn on its worker.", latency);
  m.DeclareCounter("reagent_tokens_total", "Tokens used, by model, user and kind (prompt, completion).");
  m.DeclareCounter("reagent_cost_usd_total", "Cost in USD, by model and user (priced models only).");
  m.DeclareCounter("reagent_model_calls_total", "Model calls that returned, by model.");
  m.DeclareHistogram("reagent_model_latency_seconds", "Latency of a model call including retries, by model.", latency);
  m.DeclareCounter("reagent_model_retries_total", "Retried model attempts, by model.");
  m.DeclareCounter("reagent_fallbacks_total", "Moves to a later model of the chain, by from and to.");
  m.DeclareGauge("reagent_breaker_state", "Circuit breaker per model: 0 closed, 1 half-open, 2 open.");
  m.DeclareCounter("reagent_breaker_transitions_total", "Breaker state changes, by model and new state.");
  m.DeclareCounter("reagent_limiter_waits_total", "Calls the client-side rate limiter made wait.");
  m.DeclareCounter("reagent_limiter_wait_seconds_total", "Seconds spent waiting for the rate limiter.");
  m.DeclareCounter("reagent_cache_hits_total", "Model calls answered from the response cache.");
  m.DeclareCounter("reagent_tool_calls_total", "Tool calls, by tool.");
  m.DeclareCounter("reagent_sanitizer_verdicts_total",
                   "Injection-filter verdicts by source (user: every question; tool and history: texts with findings).");
  m.DeclareCounter("reagent_sessions_created_total", "Sessions created.");
  m.DeclareGauge("reagent_turns_running", "Turns running now.");
  m.DeclareGauge("reagent_turns_waiting", "Turns waiting for a worker.");
  m.DeclareCounter("reagent_turns_queued_total", "Turns that had to wait for a worker.");
  m.DeclareCounter("reagent_requests_refused_total",
                   "Chat requests refused before their turn ran, by reason (queue_full, user_rate_limited, ...).");
  m.DeclareGauge("reagent_open_streams", "SSE streams open now.");
  m.DeclareGauge("reagent_open_connections", "HTTP connections open now.");
  m.DeclareGauge("reagent_draining", "1 while the server drains after SIGTERM.");
  m.DeclareCounter("reagent_http_requests_total", "HTTP requests answered, by status.");
  m.DeclareCounter("reagent_client_disconnects_total", "Requests whose client went away before the answer was written.");
  m.DeclareCounter("reagent_internal_errors_total", "Requests that failed on an unexpected exception (500).");
  m.DeclareCounter("reagent_auth_failures_total", "Requests refused with 401, by reason (missing, invalid).");
}

Server::Server(std::unique_ptr<ServerContext> context) : context_(std::move(context)) {}

Result<std::unique_ptr<Server>> Server::Start(std::unique_ptr<Runtime> runtime, ServerOptions options) {
  if (!runtime || !runtime->agent || !runtime->sessions || !runtime->chain) {
    return Status::InvalidArgument("serve: the runtime needs an agent, a session store and a model chain");
  }
  const ServerConfig& config = options.config;
  auto keys = KeyRing::FromConfig(config.keys);
  if (!keys.ok()) return keys.status();
  if (keys->size() == 0 && !config.allow_anonymous) {
    return Status::InvalidArgument(
        "server.keys: no API keys configured; add {\"user\", \"sha256\"} entries (reagent serve --hash-key prints "
        "one) or, for a local playground only, set server.allow_anonymous / --allow-anonymous");
  }
  auto ctx = std::make_unique<ServerContext>(config, std::move(runtime));
  ctx->keys = std::move(*keys);
  ctx->started_unix = static_cast<int64_t>(std::time(nullptr));
  ctx->react = ctx->runtime->agent->options().mode == AgentOptions::Mode::kReact;
  ctx->model_ids.push_back("reagent");
  for (const FallbackEntry& e : ctx->runtime->chain->entries()) {
    const std::string name = e.model_name.empty() ? e.model->name() : e.model_name;
    if (std::find(ctx->model_ids.begin(), ctx->model_ids.end(), name) == ctx->model_ids.end()) ctx->model_ids.push_back(name);
  }
  if (options.access_log) {
    ctx->access_log = std::make_unique<AccessLog>(options.access_log);
  } else {
    auto log = AccessLog::Open(config.access_log);
    if (!log.ok()) return log.status();
    ctx->access_log = std::move(*log);
  }
  DeclareServerMetrics(ctx->metrics);

  HttpListenerOptions lo;
  lo.host = config.host;
  lo.port = config.port;
  lo.io_threads = static_cast<int>(config.io_threads);
  lo.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
  lo.max_connections = config.max_connections;
  lo.request_timeout = Seconds(config.request_timeout_s);
  lo.idle_timeout = Seconds(config.idle_timeout_s);
  lo.write_timeout = Seconds(config.write_timeout_s);
  lo.sse_keepalive = Seconds(config.sse_keepalive_s);
  ServerContext* raw = ctx.get();
  auto listener = HttpListener::Start(
      lo, [raw](std::shared_ptr<Exchange> ex) { Guarded(*raw, ex, [&] { Route(*raw, ex); }); },
      [raw](const ExchangeRecord& r) { Record(*raw, r); });
  if (!listener.ok()) return listener.status();
  ctx->listener = std::move(*listener);
  return std::unique_ptr<Server>(new Server(std::move(ctx)));
}

Server::~Server() { Drain(Duration::zero()); }

int Server::port() const { return context_->listener->port(); }

void Server::Drain(Duration grace) {
  ServerContext& ctx = *context_;
  if (!ctx.listener) return;
  ctx.draining = true;
  ctx.listener->StopAccepting();
  ctx.turns.StopAdmitting();  // queued turns answer 503 + Retry-After
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(grace);
  if (!ctx.turns.WaitIdle(deadline)) {
    Logger()->warn("serve: grace period over; cancelling {} running turns", ctx.turns.running());
    ctx.shutdown.Cancel();
    ctx.turns.WaitIdle(std::chrono::steady_clock::time_point::max());
  }
  ctx.store_work.StopAdmitting();
  ctx.store_work.WaitIdle(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  // The last answers are being written; give them a moment before the connections close.
  const auto flush_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ctx.listener->open_connections() > 0 && std::chrono::steady_clock::now() < flush_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ctx.listener->Shutdown();
  ctx.listener.reset();
}

void Server::CancelRunning() { context_->shutdown.Cancel(); }

int64_t Server::running_turns() const { return context_->turns.running(); }
int64_t Server::queued_turns() const { return context_->turns.queued(); }

}  // namespace reagent::server
