// POST /v1/chat/completions: one agent turn per request, answered as one chat.completion or
// as a stream of chat.completion.chunk events.
#include <chrono>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "answer_stream.h"
#include "chat_request.h"
#include "openai_format.h"
#include "reagent/agent/agent.h"
#include "reagent/core/logging.h"
#include "server_context.h"
#include "untrusted_json.h"

namespace reagent::server {
namespace {

using K = AgentEvent::Kind;

// Progress texts sent to the client are cut to this; the full text is in the session.
constexpr size_t kMaxEventText = 2000;
// The limiter reports every call; waits shorter than this are bookkeeping, not pacing.
constexpr Duration kNoticeableWait = std::chrono::milliseconds(1);

std::string Cut(std::string_view text, size_t max = kMaxEventText) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // whole UTF-8
  return std::string(text.substr(0, end)) + "…";
}

Json CostJson(const std::optional<double>& cost) { return cost ? Json(*cost) : Json(nullptr); }

std::string_view FinishReason(StopReason reason) {
  switch (reason) {
    case StopReason::kMaxSteps:
    case StopReason::kBudgetExhausted:
    case StopReason::kDeadline:
      return "length";
    case StopReason::kBlocked:
      return "content_filter";
    default:
      return "stop";
  }
}

// The status and error code of a turn that ended without an answer (README "Status codes").
struct NoAnswer {
  int status;
  std::string_view type, code;
};
NoAnswer NoAnswerStatus(StopReason reason) {
  switch (reason) {
    case StopReason::kBlocked: return {400, "invalid_request_error", "input_blocked"};
    case StopReason::kBudgetExhausted: return {402, "insufficient_quota", "budget_exhausted"};
    case StopReason::kMaxSteps: return {422, "agent_error", "max_steps"};
    case StopReason::kDeadline: return {504, "timeout", "deadline_exceeded"};
    case StopReason::kModelsUnavailable: return {503, "server_error", "models_unavailable"};
    case StopReason::kCancelled: return {503, "server_error", "cancelled"};
    case StopReason::kError:
    case StopReason::kFinalAnswer:
      break;
  }
  return {502, "server_error", "model_error"};
}

Json EventJson(const AgentEvent& e) {
  Json j = {{"event", AgentEventKindName(e.kind)}};
  if (e.step > 0) j["step"] = e.step;
  switch (e.kind) {
    case K::kStepStarted:
      if (e.closing_call) j["closing_call"] = true;
      break;
    case K::kModelCall:
      j["model"] = e.model;
      j["prompt_tokens"] = e.usage.prompt_tokens;
      j["completion_tokens"] = e.usage.completion_tokens;
      j["cost_usd"] = CostJson(e.usage.cost_usd);
      j["latency_ms"] = std::round(ToSeconds(e.latency) * 1e4) / 10;
      j["attempts"] = e.attempts;
      break;
    case K::kThought:
    case K::kParseError:
    case K::kHistoryTrimmed:
      j["text"] = Cut(e.text);
      break;
    case K::kToolCall:
      j["tool"] = e.tool_call.name;
      j["arguments"] = Cut(e.tool_call.arguments, 1000);
      break;
    case K::kToolResult:
      j["tool"] = e.tool_call.name;
      j["is_error"] = e.is_error;
      if (!e.error_kind.empty()) j["error_kind"] = e.error_kind;
      j["output"] = Cut(e.text, 500);
      break;
    case K::kRetry:
      j["model"] = e.model_event.model;
      j["attempt"] = e.model_event.attempt;
      j["wait_s"] = ToSeconds(e.model_event.wait);
      j["reason"] = e.model_event.reason;
      break;
    case K::kLimiterWait:
      j["wait_s"] = ToSeconds(e.model_event.wait);
      break;
    case K::kFallback:
      j["from"] = e.model_event.model;
      j["to"] = e.model_event.to_model;
      j["reason"] = e.model_event.reason;
      break;
    case K::kBreakerTransition:
      j["model"] = e.model_event.model;
      j["from"] = e.model_event.from_state;
      j["to"] = e.model_event.to_state;
      break;
    case K::kCacheHit:
      j["saved_cost_usd"] = e.model_event.saved_cost_usd;
      break;
    case K::kBudgetWarning:
      j["scope"] = e.warning.scope;
      j["fraction"] = e.warning.fraction;
      j["spent"] = e.warning.spent;
      j["limit"] = e.warning.limit;
      break;
    case K::kSanitizerFinding:
      j["source"] = e.source;
      j["verdict"] = VerdictName(e.verdict);
      break;
    case K::kStepFinished:
      j["cost_usd"] = CostJson(e.usage.cost_usd);
      j["tokens"] = e.usage.total_tokens();
      break;
    default:
      break;
  }
  return j;
}

// Watches one turn: updates the metrics for every event and, for a streaming request, turns
// the events into SSE — answer deltas as chunks, everything else as comment lines.
class TurnObserver final : public AgentObserver {
 public:
  TurnObserver(ServerContext& ctx, Exchange& exchange, const ChatRequest& request, CompletionIds ids,
               std::string session_id, std::string user)
      : ctx_(ctx),
        exchange_(exchange),
        request_(request),
        ids_(std::move(ids)),
        session_id_(std::move(session_id)),
        user_(std::move(user)),
        answer_(ctx.react) {}

  void OnEvent(const AgentEvent& e) override {
    Count(e);
    if (!request_.stream) return;
    if (e.kind == K::kTurnStarted) return Begin();
    if (e.kind == K::kFinal) return;
    if (!began_) {
      early_.push_back(EventJson(e));  // e.g. a redacted question, reported once the stream is open
      return;
    }
    if (e.kind == K::kStepStarted) answer_.StartCall();
    if (e.kind == K::kLimiterWait && e.model_event.wait < kNoticeableWait) return;
    if (e.kind == K::kTokenDelta) {
      const std::string piece = answer_.Delta(e.text);
      if (!piece.empty()) Send(SseData(ChunkJson(ids_, {{"content", piece}}, std::nullopt)));
      return;
    }
    Send(SseEvent(EventJson(e)));
  }

  bool began() const { return began_; }
  bool user_flagged() const { return user_flagged_; }

  // Ends the stream: the rest of the answer, the stop reason, usage, [DONE].
  void End(const TurnResult& r, const Json& summary) {
    const std::string rest = answer_.Finish(r.final_answer);
    if (!rest.empty()) Send(SseData(ChunkJson(ids_, {{"content", rest}}, std::nullopt)));
    Json last = ChunkJson(ids_, Json::object(), FinishReason(r.stop_reason));
    last["reagent"] = summary;
    Send(SseData(last));
    if (request_.include_usage) {
      Json usage = ChunkJson(ids_, nullptr, std::nullopt);
      usage["usage"] = UsageJson(r.usage);
      Send(SseData(usage));
    }
    if (r.final_answer.empty() && r.stop_reason != StopReason::kFinalAnswer) {
      const NoAnswer na = NoAnswerStatus(r.stop_reason);
      Send(SseData({{"error", {{"message", r.stop_detail.empty() ? std::string(StopReasonName(r.stop_reason)) : r.stop_detail},
                               {"type", na.type}, {"param", nullptr}, {"code", na.code}}}}));
    }
    Send(std::string(kSseDone));
    exchange_.EndStream();
  }

 private:
  void Begin() {
    began_ = true;
    exchange_.BeginStream(200, "text/event-stream; charset=utf-8", {{"X-Session-Id", session_id_}});
    Send(SseEvent({{"event", "session"}, {"session_id", session_id_}}));
    Send(SseData(ChunkJson(ids_, {{"role", "assistant"}, {"content", ""}}, std::nullopt)));
    for (const Json& e : early_) Send(SseEvent(e));
    early_.clear();
  }

  void Send(std::string data) { exchange_.Write(std::move(data)); }

  void Count(const AgentEvent& e) {
    Metrics& m = ctx_.metrics;
    switch (e.kind) {
      case K::kModelCall: {
        const std::string model = e.model.empty() ? "unknown" : e.model;
        m.Add("reagent_model_calls_total", {{"model", model}});
        m.Observe("reagent_model_latency_seconds", {{"model", model}}, ToSeconds(e.latency));
        m.Add("reagent_tokens_total", {{"model", model}, {"user", user_}, {"kind", "prompt"}},
              static_cast<double>(e.usage.prompt_tokens));
        m.Add("reagent_tokens_total", {{"model", model}, {"user", user_}, {"kind", "completion"}},
              static_cast<double>(e.usage.completion_tokens));
        if (e.usage.cost_usd) m.Add("reagent_cost_usd_total", {{"model", model}, {"user", user_}}, *e.usage.cost_usd);
        break;
      }
      case K::kRetry:
        m.Add("reagent_model_retries_total", {{"model", e.model_event.model}});
        break;
      case K::kFallback:
        m.Add("reagent_fallbacks_total", {{"from", e.model_event.model}, {"to", e.model_event.to_model}});
        break;
      case K::kLimiterWait:
        if (e.model_event.wait >= kNoticeableWait) m.Add("reagent_limiter_waits_total", {});
        m.Add("reagent_limiter_wait_seconds_total", {}, ToSeconds(e.model_event.wait));
        break;
      case K::kBreakerTransition:
        m.Add("reagent_breaker_transitions_total", {{"model", e.model_event.model}, {"to", e.model_event.to_state}});
        break;
      case K::kCacheHit:
        m.Add("reagent_cache_hits_total", {});
        break;
      case K::kToolCall:
        m.Add("reagent_tool_calls_total", {{"tool", e.tool_call.name}});
        break;
      case K::kSanitizerFinding:
        if (e.source == "user") user_flagged_ = true;
        m.Add("reagent_sanitizer_verdicts_total", {{"source", e.source}, {"verdict", std::string(VerdictName(e.verdict))}});
        break;
      default:
        break;
    }
  }

  ServerContext& ctx_;
  Exchange& exchange_;
  const ChatRequest& request_;
  CompletionIds ids_;
  std::string session_id_;
  std::string user_;
  AnswerStream answer_;
  bool began_ = false;
  bool user_flagged_ = false;
  std::vector<Json> early_;
};

Json Summary(const TurnResult& r, const std::string& session_id) {
  return {{"session_id", session_id},
          {"stop_reason", StopReasonName(r.stop_reason)},
          {"stop_detail", r.stop_detail},
          {"steps", r.steps},
          {"model", r.model_used},
          {"models_used", r.models_used},
          {"retries", r.retries},
          {"fallbacks", r.fallbacks},
          {"tool_calls", r.tool_calls},
          {"cost_usd", CostJson(r.usage.cost_usd)},
          {"blocked", r.blocked}};
}

// The caller's session, or a new one. Errors are answered here (nullopt).
std::optional<std::string> ResolveSession(ServerContext& ctx, Exchange& ex, const ChatRequest& req,
                                          const std::string& user) {
  std::string id = req.session_id;
  if (auto header = ex.request().Header("x-session-id"); header && !header->empty()) id = *header;
  SessionStore& store = *ctx.runtime->sessions;
  if (id.empty()) {
    auto created = store.Create(user, Json{{"created_by", "serve"}});
    if (!created.ok()) {
      ex.Respond(StatusResponse(created.status(), ctx.config.retry_after_s));
      return std::nullopt;
    }
    ctx.metrics.Add("reagent_sessions_created_total", {});
    return created->id;
  }
  auto info = PlausibleSessionId(id) ? store.GetInfo(id) : Result<SessionInfo>(Status::NotFound("bad id"));
  if (!info.ok() || info->user_id != user) {
    // Another user's session looks exactly like a missing one.
    ex.Respond(ErrorResponse(404, "invalid_request_error", "session_not_found",
                             fmt::format("no session {} for this key", Cut(id, 64))));
    return std::nullopt;
  }
  return id;
}

void RunTurn(ServerContext& ctx, const std::shared_ptr<Exchange>& ex, const ChatRequest& req, const std::string& user) {
  const auto started = std::chrono::steady_clock::now();
  auto session_id = ResolveSession(ctx, *ex, req, user);
  if (!session_id) return;
  ex->LogField("session_id", *session_id);

  // The turn stops when the client goes away or the drain's grace period ends.
  auto cancel = std::make_shared<CancellationSource>();
  const int gone_sub = ex->client_gone().OnCancel([cancel] { cancel->Cancel(); });
  const int shutdown_sub = ctx.shutdown.token().OnCancel([cancel] { cancel->Cancel(); });

  CompletionIds ids{NewCompletionId(), static_cast<int64_t>(std::time(nullptr)), req.model};
  TurnObserver observer(ctx, *ex, req, ids, *session_id, user);
  Result<TurnResult> result = ctx.runtime->agent->Run(*session_id, req.user_text, &observer, cancel->token());
  ex->client_gone().Unsubscribe(gone_sub);
  ctx.shutdown.token().Unsubscribe(shutdown_sub);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (!result.ok()) {
    const Status& s = result.status();
    ctx.metrics.Add("reagent_requests_refused_total",
                    {{"reason", s.code() == StatusCode::kRateLimited ? "user_rate_limited" : std::string(StatusCodeName(s.code()))}});
    ex->LogField("error", std::string(StatusCodeName(s.code())));
    HttpResponse response = StatusResponse(s, ctx.config.retry_after_s);
    response.headers.emplace_back("X-Session-Id", *session_id);
    if (observer.began()) {  // not expected: Run fails before its first event
      ex->Write(SseData(Json::parse(response.body)));
      ex->Write(std::string(kSseDone));
      ex->EndStream();
    } else {
      ex->Respond(std::move(response));
    }
    return;
  }
  const TurnResult& r = *result;
  const std::string stop = std::string(StopReasonName(r.stop_reason));
  ctx.metrics.Add("reagent_turns_total", {{"stop_reason", stop}});
  ctx.metrics.Observe("reagent_turn_duration_seconds", {}, seconds);
  if (!observer.user_flagged()) {
    ctx.metrics.Add("reagent_sanitizer_verdicts_total", {{"source", "user"}, {"verdict", "allow"}});
  }
  ex->LogField("stop_reason", stop);
  ex->LogField("steps", r.steps);
  ex->LogField("model", r.model_used);
  ex->LogField("prompt_tokens", r.usage.prompt_tokens);
  ex->LogField("completion_tokens", r.usage.completion_tokens);
  ex->LogField("cost_usd", CostJson(r.usage.cost_usd));
  Json summary = Summary(r, *session_id);

  if (observer.began()) return observer.End(r, summary);

  if (r.final_answer.empty()) {
    const NoAnswer na = NoAnswerStatus(r.stop_reason);
    std::optional<double> retry_after;
    if (r.stop_reason == StopReason::kModelsUnavailable) {
      retry_after = r.model_error && r.model_error->retry_after_s ? *r.model_error->retry_after_s : ctx.config.retry_after_s;
    }
    if (r.stop_reason == StopReason::kCancelled && ctx.shutdown.cancelled()) retry_after = ctx.config.retry_after_s;
    const std::string message = r.stop_detail.empty() ? stop : r.stop_detail;
    HttpResponse response = ErrorResponse(na.status, na.type, na.code, message, retry_after);
    Json body = Json::parse(response.body);
    body["reagent"] = summary;
    response.body = DumpJson(body) + "\n";
    response.headers.emplace_back("X-Session-Id", *session_id);
    ex->Respond(std::move(response));
    return;
  }
  HttpResponse response = JsonResponse(200, CompletionJson(ids, r.final_answer, FinishReason(r.stop_reason), r.usage, summary));
  response.headers.emplace_back("X-Session-Id", *session_id);
  ex->Respond(std::move(response));
}

}  // namespace

void HandleChatCompletions(ServerContext& ctx, std::shared_ptr<Exchange> ex, std::string user) {
  auto body = ParseUntrustedJson(ex->request().body, "request body");
  if (!body.ok()) {
    ex->LogField("error", "invalid_json");
    return ex->Respond(ErrorResponse(400, "invalid_request_error", "invalid_json", body.status().message()));
  }
  auto request = ParseChatRequest(*body);
  if (!request.ok()) {
    ex->LogField("error", "invalid_request");
    return ex->Respond(ErrorResponse(400, "invalid_request_error", "invalid_request", request.status().message()));
  }
  if (std::find(ctx.model_ids.begin(), ctx.model_ids.end(), request->model) == ctx.model_ids.end()) {
    return ex->Respond(ErrorResponse(404, "invalid_request_error", "model_not_found",
                                     fmt::format("The model `{}` does not exist here; GET /v1/models lists the ones that do",
                                                 Cut(request->model, 100))));
  }
  if (auto header = ex->request().Header("x-session-id"); header && !header->empty() && !PlausibleSessionId(*header)) {
    return ex->Respond(ErrorResponse(400, "invalid_request_error", "invalid_session_id",
                                     "X-Session-Id: expected a session id (up to 64 characters of A-Z a-z 0-9 _ -)"));
  }
  ex->LogField("stream", request->stream);
  auto job = [&ctx, ex, req = std::move(*request), user](bool run) {
    if (!run) {
      ex->LogField("error", "shutting_down");
      return ex->Respond(ErrorResponse(503, "server_error", "shutting_down", "the server is shutting down; retry",
                                       ctx.config.retry_after_s));
    }
    if (ex->client_gone().cancelled()) return ex->Respond(ErrorResponse(499, "invalid_request_error", "client_gone", ""));
    try {
      RunTurn(ctx, ex, req, user);
    } catch (const std::exception& e) {
      // A dependency threw mid-turn: answer (the stream, if open, just ends) and keep serving.
      Logger()->error("serve: turn failed: {}", e.what());
      ctx.metrics.Add("reagent_internal_errors_total", {});
      ex->Respond(ErrorResponse(500, "server_error", "internal_error", "internal error; see the server's log"));
      ex->EndStream();
    }
  };
  switch (ctx.turns.Submit(std::move(job))) {
    case TurnScheduler::Admission::kRunning:
      break;
    case TurnScheduler::Admission::kQueued:
      ctx.metrics.Add("reagent_turns_queued_total", {});
      break;
    case TurnScheduler::Admission::kFull:
      ctx.metrics.Add("reagent_requests_refused_total", {{"reason", "queue_full"}});
      ex->LogField("error", "overloaded");
      ex->Respond(ErrorResponse(503, "server_error", "overloaded",
                                fmt::format("{} turns are running and {} waiting; retry later",
                                            ctx.config.max_concurrent_turns, ctx.config.max_queued_turns),
                                ctx.config.retry_after_s));
      break;
    case TurnScheduler::Admission::kStopped:
      ex->LogField("error", "shutting_down");
      ex->Respond(ErrorResponse(503, "server_error", "shutting_down", "the server is shutting down; retry",
                                ctx.config.retry_after_s));
      break;
  }
}

}  // namespace reagent::server
