#include "reagent/mcp/mcp_server.h"

#include <cstdio>

#include "reagent/core/logging.h"

namespace reagent {

using nlohmann::json;

namespace {

std::string Seconds3(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", ToSeconds(d));
  return buf;
}

}  // namespace

McpServer::McpServer(McpServerConfig config, McpServerOptions options)
    : config_(std::move(config)), options_(std::move(options)) {}

McpServer::~McpServer() { Close(); }

Result<std::shared_ptr<McpServer>> McpServer::Start(McpServerConfig config, McpServerOptions options) {
  auto server = std::make_shared<McpServer>(std::move(config), std::move(options));
  {
    std::lock_guard lock(server->connect_mu_);
    REAGENT_RETURN_IF_ERROR(server->Connect());
  }
  server->refresher_ = std::thread([raw = server.get()] { raw->RefreshLoop(); });
  return server;
}

void McpServer::Warn(const std::string& warning) const {
  if (options_.warn) options_.warn(warning);
  else Logger()->warn("{}", warning);
}

Status McpServer::Connect() {
  McpClientHooks hooks;
  hooks.tools_changed = [signal = refresh_] {
    {
      std::lock_guard lock(signal->mu);
      signal->wanted = true;
    }
    signal->cv.notify_all();
  };
  const std::string name = config_.name;
  hooks.log = [name](std::string_view level, std::string_view text) {
    Logger()->debug("mcp {} [{}]: {}", name, level, text);
  };
  auto connected = McpClient::Connect(config_, std::move(hooks));
  if (!connected.ok()) return connected.status();
  std::shared_ptr<McpClient> client = std::move(*connected);
  if (Status s = ListAndScreen(*client); !s.ok()) {
    client->Close();
    return s;
  }
  std::shared_ptr<McpClient> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(client_);
    client_ = client;
    info_ = client->server_info();
  }
  if (old) old->Close();
  return Status::Ok();
}

Status McpServer::ListAndScreen(McpClient& client) {
  std::vector<McpToolInfo> listed;
  std::vector<std::string> skipped;
  const json& caps = client.server_info().capabilities;
  if (caps.contains("tools")) {
    auto tools = client.ListTools(config_.connect_timeout, {}, &skipped);
    if (!tools.ok()) return tools.status();
    listed = std::move(*tools);
  }
  for (const auto& s : skipped) Warn("mcp server \"" + config_.name + "\": " + s);
  std::vector<McpToolInfo> offered;
  std::vector<McpRefusedTool> refused;
  for (auto& t : listed) {
    if (!config_.allowed_tools.empty() &&
        std::find(config_.allowed_tools.begin(), config_.allowed_tools.end(), t.name) == config_.allowed_tools.end()) {
      refused.push_back({t.name, "not in the allow-list"});
      continue;
    }
    if (options_.screen) {
      if (auto why = options_.screen(McpToolScreenText(t))) {
        Warn("mcp server \"" + config_.name + "\": tool \"" + t.name + "\" refused: " + *why);
        refused.push_back({t.name, *why});
        continue;
      }
    }
    offered.push_back(std::move(t));
  }
  for (const auto& allowed : config_.allowed_tools) {
    bool listed_it = false;
    for (const auto& t : offered) listed_it = listed_it || t.name == allowed;
    for (const auto& r : refused) listed_it = listed_it || r.name == allowed;
    if (!listed_it) Warn("mcp server \"" + config_.name + "\": the allow-list names \"" + allowed + "\", which the server does not offer");
  }
  {
    std::lock_guard lock(mu_);
    offered_ = std::move(offered);
    refused_ = std::move(refused);
  }
  generation_.fetch_add(1);
  return Status::Ok();
}

McpServerInfo McpServer::info() const {
  std::lock_guard lock(mu_);
  return info_;
}

std::vector<McpToolInfo> McpServer::tools() const {
  std::lock_guard lock(mu_);
  return offered_;
}

std::vector<McpRefusedTool> McpServer::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

Result<std::shared_ptr<McpClient>> McpServer::ClientForCall() {
  std::lock_guard connect_lock(connect_mu_);
  {
    std::lock_guard lock(mu_);
    if (closed_) return Status::Unavailable("mcp server \"" + config_.name + "\" is shut down");
    if (client_ && client_->connected()) return client_;
    const auto now = std::chrono::steady_clock::now();
    if (last_failed_restart_ && now - *last_failed_restart_ < options_.restart_backoff)
      return Status::Unavailable("mcp server \"" + config_.name + "\" is down (" + last_failure_ + ")");
  }
  std::string why;
  {
    std::lock_guard lock(mu_);
    why = client_ ? client_->disconnect_reason() : "it was not running";
  }
  Logger()->info("mcp server \"{}\" is restarting ({})", config_.name, why);
  Status s = Connect();
  std::lock_guard lock(mu_);
  if (!s.ok()) {
    last_failed_restart_ = std::chrono::steady_clock::now();
    last_failure_ = "the last start failed: " + s.message();
    return Status::Unavailable("mcp server \"" + config_.name + "\" went away (" + why + ") and could not be restarted: " +
                               s.message());
  }
  last_failed_restart_.reset();
  return client_;
}

ToolResult McpServer::CallTool(const std::string& remote_name, const json& arguments, Duration timeout,
                               const ToolContext& ctx) {
  json output_schema;
  {
    std::lock_guard lock(mu_);
    bool offered = false;
    for (const auto& t : offered_) {
      if (t.name != remote_name) continue;
      offered = true;
      output_schema = t.output_schema;
    }
    if (!offered)
      return ToolResult::Error(tool_error::kFailed, remote_name + " is no longer offered by mcp server \"" + config_.name + "\"");
  }
  for (int attempt = 0;; ++attempt) {
    auto client = ClientForCall();
    if (!client.ok()) return ToolResult::Error(tool_error::kFailed, remote_name + " failed: " + client.status().message());
    Result<json> r = (*client)->CallTool(remote_name, arguments, timeout, ctx.cancel);
    if (r.ok()) return McpResultToToolResult(remote_name, *r, output_schema);
    const Status& s = r.status();
    switch (s.code()) {
      case StatusCode::kExpired:
        // The server forgot the session before running the call: a new session, once.
        if (attempt == 0) continue;
        break;
      case StatusCode::kDeadlineExceeded:
        return ToolResult::Error(tool_error::kTimeout, remote_name + " timed out after " + Seconds3(timeout) +
                                                           " (mcp server \"" + config_.name + "\" was asked to cancel it)");
      case StatusCode::kCancelled:
        return ToolResult::Error(tool_error::kCancelled, remote_name + " was cancelled");
      case StatusCode::kFailedPrecondition:
        return ToolResult::Error(tool_error::kFailed, remote_name + ": mcp server \"" + config_.name + "\" answered " + s.message());
      default:
        break;
    }
    return ToolResult::Error(tool_error::kFailed, remote_name + " failed: mcp server \"" + config_.name + "\": " + s.message());
  }
}

Status McpServer::Refresh() {
  std::shared_ptr<McpClient> client;
  {
    std::lock_guard lock(mu_);
    client = client_;
  }
  if (!client || !client->connected()) return Status::Unavailable("mcp server \"" + config_.name + "\" is not connected");
  return ListAndScreen(*client);
}

void McpServer::RefreshLoop() {
  RefreshSignal& signal = *refresh_;
  std::unique_lock lock(signal.mu);
  for (;;) {
    signal.cv.wait(lock, [&] { return signal.wanted || signal.closing; });
    if (signal.closing) return;
    signal.wanted = false;
    lock.unlock();
    if (Status s = Refresh(); !s.ok()) Warn("mcp server \"" + config_.name + "\": refreshing its tools failed: " + s.message());
    lock.lock();
  }
}

void McpServer::Close() {
  if (closed_.exchange(true)) return;
  {
    std::lock_guard lock(refresh_->mu);
    refresh_->closing = true;
  }
  refresh_->cv.notify_all();
  if (refresher_.joinable()) refresher_.join();
  std::shared_ptr<McpClient> client;
  {
    std::lock_guard lock(mu_);
    client = std::move(client_);
  }
  if (client) client->Close();
}

McpTool::McpTool(ToolDefinition definition, std::shared_ptr<McpServer> server, std::string remote_name)
    : Tool(std::move(definition)), server_(std::move(server)), remote_name_(std::move(remote_name)) {}

ToolResult McpTool::Run(const json& arguments, const ToolContext& ctx) {
  ToolResult r = server_->CallTool(remote_name_, arguments, TimeLeft(ctx), ctx);
  // Errors name the tool as the model knows it.
  if (r.is_error && name() != remote_name_ && r.text.starts_with(remote_name_)) r.text = name() + r.text.substr(remote_name_.size());
  return r;
}

}  // namespace reagent
