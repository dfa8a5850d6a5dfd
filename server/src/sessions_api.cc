// The sessions API: POST /v1/sessions, GET /v1/sessions, GET|DELETE /v1/sessions/{id}.
// A user sees only their own sessions; another user's id answers 404, like a missing one.
#include <fmt/format.h>

#include "chat_request.h"
#include "openai_format.h"
#include "server_context.h"
#include "untrusted_json.h"

namespace reagent::server {
namespace {

constexpr int64_t kMaxListed = 1000;

Json UsageWithCost(const Usage& u) {
  Json j = UsageJson(u);
  j["cost_usd"] = u.cost_usd ? Json(*u.cost_usd) : Json(nullptr);
  return j;
}

Json InfoJson(const SessionInfo& s) {
  return {{"id", s.id},
          {"object", "session"},
          {"user", s.user_id},
          {"created_at", static_cast<int64_t>(ToUnixSeconds(s.created_at))},
          {"last_access", static_cast<int64_t>(ToUnixSeconds(s.last_access))},
          {"message_count", s.message_count},
          {"step_count", s.step_count},
          {"usage", UsageWithCost(s.usage)},
          {"cost_usd", s.usage.cost_usd ? Json(*s.usage.cost_usd) : Json(nullptr)},
          {"metadata", s.metadata.is_null() ? Json::object() : s.metadata}};
}

Json MessageJson(const Message& m) {
  Json j = {{"role", RoleName(m.role)}, {"content", m.content}};
  if (!m.tool_calls.empty()) {
    Json calls = Json::array();
    for (const ToolCall& c : m.tool_calls) {
      calls.push_back({{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}});
    }
    j["tool_calls"] = std::move(calls);
  }
  if (!m.tool_call_id.empty()) j["tool_call_id"] = m.tool_call_id;
  if (!m.name.empty()) j["name"] = m.name;
  return j;
}

HttpResponse NotFound(std::string_view id) {
  return ErrorResponse(404, "invalid_request_error", "session_not_found",
                       fmt::format("no session {} for this key", id.substr(0, 64)));
}

// The session if it exists and is the user's; else the answer to give.
Result<SessionInfo> OwnSession(SessionStore& store, std::string_view id, const std::string& user) {
  if (!PlausibleSessionId(id)) return Status::NotFound("no such session");
  auto info = store.GetInfo(id);
  if (!info.ok()) return info.status();
  if (info->user_id != user) return Status::NotFound("no such session");
  return info;
}

// True when the session is the user's; otherwise answers (404, or the store's error).
bool CheckOwnSession(ServerContext& ctx, Exchange& ex, std::string_view id, const std::string& user) {
  auto info = OwnSession(*ctx.runtime->sessions, id, user);
  if (info.ok()) return true;
  const StatusCode code = info.status().code();
  ex.Respond(code == StatusCode::kNotFound || code == StatusCode::kExpired
                 ? NotFound(id)
                 : StatusResponse(info.status(), ctx.config.retry_after_s));
  return false;
}

void Create(ServerContext& ctx, Exchange& ex, const std::string& user) {
  Json metadata = Json::object();
  if (!ex.request().body.empty()) {
    auto body = ParseUntrustedJson(ex.request().body, "request body");
    if (!body.ok()) return ex.Respond(ErrorResponse(400, "invalid_request_error", "invalid_json", body.status().message()));
    if (!body->is_object()) {
      return ex.Respond(ErrorResponse(400, "invalid_request_error", "invalid_request", "request body: expected a JSON object"));
    }
    for (auto it = body->begin(); it != body->end(); ++it) {
      if (it.key() != "metadata") {
        return ex.Respond(ErrorResponse(400, "invalid_request_error", "invalid_request",
                                        fmt::format("{}: unknown field (only \"metadata\")", it.key().substr(0, 64))));
      }
      if (!it->is_object()) {
        return ex.Respond(ErrorResponse(400, "invalid_request_error", "invalid_request", "metadata: expected an object"));
      }
      metadata = *it;
    }
  }
  auto created = ctx.runtime->sessions->Create(user, metadata);
  if (!created.ok()) return ex.Respond(StatusResponse(created.status(), ctx.config.retry_after_s));
  ctx.metrics.Add("reagent_sessions_created_total", {});
  ex.LogField("session_id", created->id);
  HttpResponse r = JsonResponse(201, InfoJson(*created));
  r.headers.emplace_back("X-Session-Id", created->id);
  ex.Respond(std::move(r));
}

void List(ServerContext& ctx, Exchange& ex, const std::string& user) {
  auto sessions = ctx.runtime->sessions->List({.user_id = user, .limit = kMaxListed});
  if (!sessions.ok()) return ex.Respond(StatusResponse(sessions.status(), ctx.config.retry_after_s));
  Json data = Json::array();
  for (const SessionInfo& s : *sessions) data.push_back(InfoJson(s));
  ex.Respond(JsonResponse(200, {{"object", "list"}, {"data", std::move(data)}}));
}

void Get(ServerContext& ctx, Exchange& ex, std::string_view id, const std::string& user) {
  SessionStore& store = *ctx.runtime->sessions;
  if (!CheckOwnSession(ctx, ex, id, user)) return;
  auto session = store.Load(id);
  auto steps = store.Steps(id);
  if (!session.ok()) return ex.Respond(session.status().code() == StatusCode::kNotFound ? NotFound(id) : StatusResponse(session.status(), ctx.config.retry_after_s));
  if (!steps.ok()) return ex.Respond(StatusResponse(steps.status(), ctx.config.retry_after_s));
  Json j = InfoJson(session->info);
  Json messages = Json::array();
  for (const Message& m : session->messages) messages.push_back(MessageJson(m));
  j["messages"] = std::move(messages);
  Json step_list = Json::array();
  for (const StepInfo& s : *steps) {
    Json js = {{"step", s.step}, {"model", s.model}, {"usage", UsageWithCost(s.usage)},
               {"created_at", static_cast<int64_t>(ToUnixSeconds(s.created_at))}};
    if (s.extra.is_object() && s.extra.contains("stop_reason")) js["stop_reason"] = s.extra["stop_reason"];
    step_list.push_back(std::move(js));
  }
  j["steps"] = std::move(step_list);
  ex.LogField("session_id", std::string(id));
  ex.Respond(JsonResponse(200, j));
}

void Delete(ServerContext& ctx, Exchange& ex, std::string_view id, const std::string& user) {
  SessionStore& store = *ctx.runtime->sessions;
  if (!CheckOwnSession(ctx, ex, id, user)) return;
  const Status s = store.Delete(id);
  if (!s.ok()) return ex.Respond(StatusResponse(s, ctx.config.retry_after_s));
  ex.LogField("session_id", std::string(id));
  ex.Respond(JsonResponse(200, {{"id", std::string(id)}, {"object", "session.deleted"}, {"deleted", true}}));
}

}  // namespace

void HandleSessions(ServerContext& ctx, std::shared_ptr<Exchange> ex, std::string user) {
  constexpr std::string_view kPrefix = "/v1/sessions";
  const HttpRequest& req = ex->request();
  std::string_view rest = std::string_view(req.path).substr(kPrefix.size());
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  const std::string id(rest);
  const std::string method = req.method;
  if (id.empty() && method != "GET" && method != "POST") {
    return ex->Respond(ErrorResponse(405, "invalid_request_error", "method_not_allowed", "use GET or POST on /v1/sessions"));
  }
  if (!id.empty() && method != "GET" && method != "DELETE") {
    return ex->Respond(ErrorResponse(405, "invalid_request_error", "method_not_allowed", "use GET or DELETE on /v1/sessions/{id}"));
  }
  auto job = [&ctx, ex, user, id, method](bool run) {
    if (!run) return ex->Respond(ErrorResponse(503, "server_error", "shutting_down", "the server is shutting down; retry", ctx.config.retry_after_s));
    if (id.empty()) return method == "POST" ? Create(ctx, *ex, user) : List(ctx, *ex, user);
    if (method == "GET") return Get(ctx, *ex, id, user);
    Delete(ctx, *ex, id, user);
  };
  const auto admission = ctx.store_work.Submit(std::move(job));
  if (admission == TurnScheduler::Admission::kFull || admission == TurnScheduler::Admission::kStopped) {
    ex->Respond(ErrorResponse(503, "server_error", "overloaded", "too many session requests at once; retry", ctx.config.retry_after_s));
  }
}

}  // namespace reagent::server
