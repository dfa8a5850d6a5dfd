#include "reagent/mcp/mcp_client.h"

#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>

#include "jsonrpc.h"
#include "reagent/core/json.h"
#include "reagent/core/logging.h"
#include "reagent/core/version.h"
#include "transport.h"

namespace reagent {

using nlohmann::json;
using mcp_internal::MessageKind;
using mcp_internal::ShowableText;
using mcp_internal::SteadyTime;

namespace {

// Bounds on what the server says about itself (shown to people, never to the model).
constexpr std::size_t kMaxInfoBytes = 200;
constexpr std::size_t kMaxInstructionsBytes = 8192;
// A tool's texts: longer ones are cut (they are screened and shown, and a description that
// long is itself suspicious).
constexpr std::size_t kMaxToolNameBytes = 128;
constexpr std::size_t kMaxDescriptionBytes = 8192;
// Responses reagent sends from the reader thread (ping answers, refusals) and notifications.
constexpr auto kNotifyTimeout = std::chrono::seconds(5);

std::string Seconds3(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", ToSeconds(d));
  return buf;
}

std::string StringField(const json& obj, const char* key, std::size_t max_bytes) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return ShowableText(it->get<std::string>(), max_bytes);
}

SteadyTime DeadlineAfter(Duration d) {
  const auto now = std::chrono::steady_clock::now();
  if (d >= std::chrono::duration_cast<Duration>(SteadyTime::max() - now)) return SteadyTime::max();
  return now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

}  // namespace

class McpClient::Impl {
 public:
  struct Pending {
    std::condition_variable cv;
    std::optional<Result<json>> result;
  };

  McpServerConfig config;
  McpClientHooks hooks;
  std::unique_ptr<mcp_internal::Transport> transport;
  McpServerInfo info;

  std::mutex mu;
  std::map<int64_t, std::shared_ptr<Pending>> pending;
  int64_t next_id = 1;
  bool connected = false;
  bool closing = false;
  std::string reason;
  std::string last_noise;

  Status Start() {
    mcp_internal::TransportEvents events;
    events.message = [this](json m) { OnMessage(std::move(m)); };
    events.bad_message = [this](std::optional<json> id, const std::string& error) { OnBadMessage(id, error); };
    events.noise = [this](const std::string& sample) {
      std::lock_guard lock(mu);
      last_noise = sample;
    };
    events.closed = [this](const std::string& why) { OnClosed(why); };
    {
      std::lock_guard lock(mu);
      connected = true;
    }
    Status s = transport->Start(std::move(events));
    if (!s.ok()) {
      std::lock_guard lock(mu);
      connected = false;
      reason = s.message();
    }
    return s;
  }

  void Fail(const std::shared_ptr<Pending>& p, Status s) {
    if (!p->result) p->result = Result<json>(std::move(s));
    p->cv.notify_all();
  }

  void FailAll(const std::string& why) {
    std::lock_guard lock(mu);
    for (auto& [id, p] : pending) Fail(p, Status::Unavailable(why));
    pending.clear();
  }

  void OnClosed(const std::string& why) {
    {
      std::lock_guard lock(mu);
      connected = false;
      if (reason.empty()) reason = why;
    }
    Logger()->debug("mcp {}: {}", config.name, why);
    FailAll(why);
  }

  void OnBadMessage(const std::optional<json>& id, const std::string& error) {
    if (id) {
      std::lock_guard lock(mu);
      if (id->is_number_integer()) {
        if (auto it = pending.find(id->get<int64_t>()); it != pending.end()) {
          Fail(it->second, Status::Unavailable(error));
          pending.erase(it);
          return;
        }
      }
      Logger()->debug("mcp {}: {} (for no pending call)", config.name, error);
      return;
    }
    Logger()->warn("mcp {}: {} (it could not be matched to a call, so every pending call fails)", config.name, error);
    FailAll(error);
  }

  void OnMessage(json m) {
    switch (mcp_internal::Classify(m)) {
      case MessageKind::kResponse: return OnResponse(m);
      case MessageKind::kRequest: return OnRequest(m);
      case MessageKind::kNotification: return OnNotification(m);
      case MessageKind::kInvalid:
        Logger()->debug("mcp {}: ignoring a message that is not JSON-RPC: {}", config.name,
                        ShowableText(DumpJson(m), 120));
        return;
    }
  }

  void OnResponse(const json& m) {
    const json& id = m["id"];
    if (!id.is_number_integer()) return;
    std::shared_ptr<Pending> p;
    {
      std::lock_guard lock(mu);
      auto it = pending.find(id.get<int64_t>());
      if (it == pending.end()) return;  // late (abandoned) or invented: dropped
      p = it->second;
      pending.erase(it);
      if (auto e = m.find("error"); e != m.end()) {
        const int code = e->is_object() && (*e)["code"].is_number_integer() ? (*e)["code"].get<int>() : 0;
        std::string message = e->is_object() ? StringField(*e, "message", 500) : "";
        if (message.empty()) message = "(no message)";
        p->result = Result<json>(Status::FailedPrecondition("server error " + std::to_string(code) + ": " + message));
      } else {
        p->result = Result<json>(m["result"]);
      }
    }
    p->cv.notify_all();
  }

  void OnRequest(const json& m) {
    const std::string method = m["method"].get<std::string>();
    json reply;
    if (method == "ping") {
      reply = {{"jsonrpc", "2.0"}, {"id", m["id"]}, {"result", json::object()}};
    } else {
      // reagent declares no client capabilities: sampling, elicitation and roots are refused.
      reply = mcp_internal::ErrorResponse(m["id"], mcp_internal::kMethodNotFound,
                                          "Method not found: reagent does not offer " + ShowableText(method, 80));
    }
    Status s = transport->Send(reply, {.deadline = DeadlineAfter(kNotifyTimeout)});
    if (!s.ok()) Logger()->debug("mcp {}: could not answer {}: {}", config.name, ShowableText(method, 80), s.message());
  }

  void OnNotification(const json& m) {
    const std::string& method = m["method"].get_ref<const std::string&>();
    if (method == "notifications/tools/list_changed") {
      if (hooks.tools_changed) hooks.tools_changed();
    } else if (method == "notifications/message") {
      const json params = m.value("params", json::object());
      const std::string level = params.is_object() ? StringField(params, "level", 16) : "";
      const json data = params.is_object() ? params.value("data", json()) : json();
      const std::string text = ShowableText(data.is_string() ? data.get<std::string>() : DumpJson(data), 500);
      if (hooks.log) hooks.log(level, text);
      else Logger()->debug("mcp {} [{}]: {}", config.name, level, text);
    }
    // progress, cancelled, resources/*, prompts/*: nothing to do for a tool client.
  }

  Result<json> Request(std::string_view method, json params, Duration timeout, const CancellationToken& cancel) {
    auto p = std::make_shared<Pending>();
    int64_t id;
    {
      std::lock_guard lock(mu);
      if (!connected) return Status::Unavailable(reason.empty() ? "not connected" : reason);
      id = next_id++;
      pending[id] = p;
    }
    const json id_json = id;
    json message = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
    if (!params.is_null()) message["params"] = std::move(params);
    const SteadyTime deadline = DeadlineAfter(timeout);
    Status sent = transport->Send(message, {.deadline = deadline, .cancel = cancel, .request_id = &id_json});
    // Subscribed before taking the lock: an already cancelled token runs the callback here.
    const int subscription = cancel.OnCancel([this, p] {
      std::lock_guard l(mu);
      p->cv.notify_all();
    });

    std::unique_lock lock(mu);
    if (!sent.ok() && !p->result) {
      pending.erase(id);
      if (sent.code() == StatusCode::kExpired) {
        connected = false;
        reason = sent.message();
      }
      lock.unlock();
      cancel.Unsubscribe(subscription);
      if (sent.code() == StatusCode::kDeadlineExceeded || sent.code() == StatusCode::kCancelled) {
        return Abandon(method, id, sent.code() == StatusCode::kCancelled, timeout);
      }
      return Status(sent.code() == StatusCode::kExpired ? StatusCode::kExpired : StatusCode::kUnavailable,
                    sent.message());
    }
    p->cv.wait_until(lock, deadline, [&] { return p->result.has_value() || cancel.cancelled(); });
    const bool answered = p->result.has_value();
    if (!answered) pending.erase(id);
    lock.unlock();
    cancel.Unsubscribe(subscription);
    if (answered) return std::move(*p->result);
    return Abandon(method, id, cancel.cancelled(), timeout);
  }

  // The request is given up: tell the server (never for initialize, as the spec says).
  Status Abandon(std::string_view method, int64_t id, bool cancelled, Duration timeout) {
    const std::string why = cancelled ? "the caller cancelled it" : "no answer within " + Seconds3(timeout);
    if (method != "initialize") {
      (void)Notify("notifications/cancelled", {{"requestId", id}, {"reason", why}});
    }
    std::string noise;
    {
      std::lock_guard lock(mu);
      noise = last_noise;
    }
    std::string text = std::string(method) + ": " + why;
    if (!noise.empty()) text += " (the server also wrote output that is not JSON-RPC: \"" + noise + "\")";
    return cancelled ? Status::Cancelled(text) : Status::DeadlineExceeded(text);
  }

  Status Notify(std::string_view method, json params) {
    {
      std::lock_guard lock(mu);
      if (!connected) return Status::Unavailable(reason);
    }
    json message = {{"jsonrpc", "2.0"}, {"method", method}};
    if (!params.is_null()) message["params"] = std::move(params);
    return transport->Send(message, {.deadline = DeadlineAfter(kNotifyTimeout)});
  }

  Status Initialize(const CancellationToken& cancel) {
    json params = {{"protocolVersion", std::string(kMcpProtocolVersions[0])},
                   {"capabilities", json::object()},
                   {"clientInfo", {{"name", "reagent"}, {"title", "reagent agent runtime"}, {"version", REAGENT_VERSION}}}};
    Result<json> r = Request("initialize", std::move(params), config.connect_timeout, cancel);
    if (!r.ok()) return r.status();
    const json& res = *r;
    if (!res.is_object()) return Status::Unavailable("initialize: the answer is not an object");
    const std::string version = StringField(res, "protocolVersion", 32);
    bool known = false;
    for (auto v : kMcpProtocolVersions) known = known || v == version;
    if (!known) {
      std::string ours;
      for (auto v : kMcpProtocolVersions) ours += (ours.empty() ? "" : ", ") + std::string(v);
      return Status::FailedPrecondition("the server speaks protocol version \"" + version + "\"; reagent speaks " + ours);
    }
    info.protocol_version = version;
    if (auto si = res.find("serverInfo"); si != res.end() && si->is_object()) {
      info.name = StringField(*si, "name", kMaxInfoBytes);
      info.version = StringField(*si, "version", kMaxInfoBytes);
      info.title = StringField(*si, "title", kMaxInfoBytes);
    }
    if (auto caps = res.find("capabilities"); caps != res.end() && caps->is_object()) info.capabilities = *caps;
    info.instructions = StringField(res, "instructions", kMaxInstructionsBytes);
    info.transport = transport->kind();
    REAGENT_RETURN_IF_ERROR(Notify("notifications/initialized", nullptr));
    transport->Initialized(version);
    return Status::Ok();
  }

  void Close() {
    {
      std::lock_guard lock(mu);
      if (closing) return;
      closing = true;
    }
    transport->Close();
    {
      std::lock_guard lock(mu);
      connected = false;
      if (reason.empty()) reason = "the session was closed";
    }
    FailAll("the session was closed");
  }
};

McpClient::McpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
McpClient::~McpClient() { Close(); }

Result<std::unique_ptr<McpClient>> McpClient::Connect(const McpServerConfig& config, McpClientHooks hooks,
                                                      const CancellationToken& cancel) {
  if (auto errors = McpServerConfigErrors(config); !errors.empty()) {
    std::string text = "mcp server \"" + config.name + "\":";
    for (const auto& e : errors) text += " " + e + ";";
    text.pop_back();
    return Status::InvalidArgument(text);
  }
  auto impl = std::make_shared<Impl>();
  impl->config = config;
  impl->hooks = std::move(hooks);
  impl->transport = config.url.empty() ? mcp_internal::MakeStdioTransport(config) : mcp_internal::MakeHttpTransport(config);
  std::unique_ptr<McpClient> client(new McpClient(impl));
  REAGENT_RETURN_IF_ERROR(impl->Start());
  Status s = impl->Initialize(cancel);
  if (!s.ok()) {
    client->Close();
    const StatusCode code = s.code() == StatusCode::kFailedPrecondition && s.message().starts_with("server error")
                                ? StatusCode::kUnavailable
                                : s.code();
    std::string text = s.message();
    if (!text.starts_with("initialize")) text = "initialize: " + text;
    return Status(code, text);
  }
  return client;
}

const McpServerInfo& McpClient::server_info() const { return impl_->info; }
const McpServerConfig& McpClient::config() const { return impl_->config; }

Result<json> McpClient::Request(std::string_view method, json params, Duration timeout, const CancellationToken& cancel) {
  return impl_->Request(method, std::move(params), timeout, cancel);
}

Status McpClient::Notify(std::string_view method, json params) { return impl_->Notify(method, std::move(params)); }

Result<std::vector<McpToolInfo>> McpClient::ListTools(Duration timeout, const CancellationToken& cancel,
                                                      std::vector<std::string>* skipped) {
  std::vector<McpToolInfo> tools;
  const auto start = std::chrono::steady_clock::now();
  std::string cursor;
  std::vector<std::string> seen_cursors;
  for (int page = 0; page < kMcpMaxListPages; ++page) {
    const Duration left = timeout - std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - start);
    if (left <= Duration::zero()) return Status::DeadlineExceeded("tools/list: no complete listing within " + Seconds3(timeout));
    json params = cursor.empty() ? json::object() : json{{"cursor", cursor}};
    REAGENT_ASSIGN_OR_RETURN(json result, Request("tools/list", std::move(params), left, cancel));
    if (!result.is_object() || !result.contains("tools") || !result["tools"].is_array())
      return Status::Unavailable("tools/list: the answer has no \"tools\" array");
    for (json& t : result["tools"]) {
      auto skip = [&](const std::string& why) {
        if (skipped) skipped->push_back(why);
      };
      if (tools.size() >= kMcpMaxTools) {
        skip("more than " + std::to_string(kMcpMaxTools) + " tools: the rest are ignored");
        return tools;
      }
      if (!t.is_object() || !t["name"].is_string() || t["name"].get_ref<const std::string&>().empty() ||
          t["name"].get_ref<const std::string&>().size() > kMaxToolNameBytes) {
        skip("an entry without a usable name");
        continue;
      }
      McpToolInfo info;
      info.name = ShowableText(t["name"].get<std::string>(), kMaxToolNameBytes);
      json schema = t.value("inputSchema", json());
      if (!schema.is_object() || (schema.contains("type") && schema["type"] != "object")) {
        skip(info.name + ": its inputSchema is not an object schema");
        continue;
      }
      if (!schema.contains("type")) schema["type"] = "object";
      info.input_schema = std::move(schema);
      info.description = StringField(t, "description", kMaxDescriptionBytes);
      info.title = StringField(t, "title", kMaxInfoBytes);
      if (auto a = t.find("annotations"); a != t.end() && a->is_object()) {
        info.annotations = *a;
        if (info.title.empty()) info.title = StringField(*a, "title", kMaxInfoBytes);
      }
      if (auto o = t.find("outputSchema"); o != t.end() && o->is_object()) info.output_schema = *o;
      tools.push_back(std::move(info));
    }
    auto next = result.find("nextCursor");
    if (next == result.end() || !next->is_string() || next->get_ref<const std::string&>().empty()) return tools;
    cursor = next->get<std::string>();
    for (const auto& c : seen_cursors)
      if (c == cursor) return Status::Unavailable("tools/list: the server repeats a cursor (its pagination loops)");
    seen_cursors.push_back(cursor);
  }
  if (skipped) skipped->push_back("more than " + std::to_string(kMcpMaxListPages) + " pages: the rest are ignored");
  return tools;
}

Result<json> McpClient::CallTool(std::string_view name, const json& arguments, Duration timeout,
                                 const CancellationToken& cancel) {
  REAGENT_ASSIGN_OR_RETURN(json result, Request("tools/call", {{"name", name}, {"arguments", arguments}}, timeout, cancel));
  if (!result.is_object()) return Status::Unavailable("tools/call: the result is not an object");
  return result;
}

Status McpClient::Ping(Duration timeout) { return Request("ping", json::object(), timeout).status(); }

bool McpClient::connected() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connected;
}

std::string McpClient::disconnect_reason() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connected ? "" : impl_->reason;
}

void McpClient::Close() { impl_->Close(); }

}  // namespace reagent
