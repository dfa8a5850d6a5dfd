// McpClient: one JSON-RPC 2.0 session with a Model Context Protocol server, over stdio (a
// child process) or streamable HTTP (POST, with responses as JSON or an SSE stream; an
// optional GET stream for server-initiated messages).
//
//   auto client = McpClient::Connect({.name = "everything",
//                                     .command = {"npx", "-y", "@modelcontextprotocol/server-everything"}});
//   if (!client.ok()) return client.status();              // could not start / handshake failed
//   auto tools = (*client)->ListTools(Seconds(10));         // every page of tools/list
//   auto result = (*client)->CallTool("echo", {{"message", "hi"}}, Seconds(30));
//   // result->content[0]["text"] == "Echo: hi"
//
// The lifecycle follows the specification: `initialize` offering the newest protocol version
// reagent speaks (kMcpProtocolVersions) and accepting any of them in the answer (another one
// ends the connection), then `notifications/initialized`. reagent declares no client
// capabilities: the server's `sampling/createMessage`, `elicitation/create` and `roots/list`
// requests are refused with -32601 (method not found); `ping` is answered. A request that
// times out or whose token fires is abandoned and the server is told with
// `notifications/cancelled`. Close() ends the session cleanly: stdio closes the child's stdin,
// then SIGTERM, then SIGKILL to its process group; HTTP sends DELETE with the session id.
//
// Everything from the server is untrusted: a message over McpServerConfig::max_message_bytes,
// nested deeper than kMcpMaxJsonDepth, or not JSON fails the call it answers (stdio: a line
// that is not JSON ends the connection, since the stream can no longer be trusted), a
// listing is bounded in pages and tools, and a server that dies or hangs turns every pending
// call into a clear error at once or at its timeout.
//
// Thread-safe: calls may run concurrently (responses are matched by id).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/mcp/mcp_server_config.h"

namespace reagent {

// Protocol revisions reagent speaks, newest first; the first is offered in `initialize`.
inline constexpr std::array<std::string_view, 4> kMcpProtocolVersions = {"2025-11-25", "2025-06-18",
                                                                         "2025-03-26", "2024-11-05"};
// Nesting accepted in a message from a server; deeper is a protocol error (no tool schema or
// result needs more, and the bound keeps hostile input from exhausting the stack).
inline constexpr int kMcpMaxJsonDepth = 64;
// tools/list pagination bounds: a server that never stops paging is cut off.
inline constexpr int kMcpMaxListPages = 64;
inline constexpr std::size_t kMcpMaxTools = 1024;

// What the server said about itself in `initialize`.
struct McpServerInfo {
  std::string name;               // serverInfo.name
  std::string version;            // serverInfo.version
  std::string title;              // serverInfo.title (may be empty)
  std::string protocol_version;   // the negotiated revision
  nlohmann::json capabilities = nlohmann::json::object();
  std::string instructions;       // shown to people only; never put in a model's prompt
  std::string transport;          // "stdio" | "http"
};

// One entry of tools/list.
struct McpToolInfo {
  std::string name;
  std::string title;
  std::string description;
  nlohmann::json input_schema;               // always an object schema
  nlohmann::json output_schema;              // null when the tool declares none
  nlohmann::json annotations;                // null when absent (hints, untrusted)
};

// What a client reports up to its owner. Callbacks run on the client's reader thread: they
// must be quick and must not call back into the client.
struct McpClientHooks {
  std::function<void()> tools_changed;                                  // notifications/tools/list_changed
  std::function<void(std::string_view level, std::string_view text)> log;  // notifications/message
};

class McpClient {
 public:
  // Starts the transport (spawns the command or checks the URL) and runs the handshake within
  // config.connect_timeout. Errors: InvalidArgument for a config with problems (see
  // McpServerConfigErrors), NotFound when the program cannot start, Unavailable when the
  // server exits, is unreachable or answers garbage, DeadlineExceeded when it does not answer,
  // FailedPrecondition for a protocol revision reagent does not speak.
  static Result<std::unique_ptr<McpClient>> Connect(const McpServerConfig& config, McpClientHooks hooks = {},
                                                    const CancellationToken& cancel = {});
  ~McpClient();  // Close()
  McpClient(const McpClient&) = delete;
  McpClient& operator=(const McpClient&) = delete;

  const McpServerInfo& server_info() const;
  const McpServerConfig& config() const;

  // One request; the `result` member of the answer. A JSON-RPC error answer is
  // FailedPrecondition "<method>: server error <code>: <message>"; DeadlineExceeded /
  // Cancelled after notifications/cancelled was sent; Unavailable when the connection is gone
  // (the message says why: the process's exit status and the tail of its stderr, or the HTTP
  // failure). An expired HTTP session (404) is Expired.
  Result<nlohmann::json> Request(std::string_view method, nlohmann::json params, Duration timeout,
                                 const CancellationToken& cancel = {});
  Status Notify(std::string_view method, nlohmann::json params = nlohmann::json::object());

  // Every page of tools/list (at most kMcpMaxListPages pages and kMcpMaxTools tools; entries
  // without a string name or an object inputSchema are skipped with a warning in `skipped`).
  Result<std::vector<McpToolInfo>> ListTools(Duration timeout, const CancellationToken& cancel = {},
                                             std::vector<std::string>* skipped = nullptr);
  // tools/call; the raw result object ({"content": [...], "structuredContent"?, "isError"?}).
  Result<nlohmann::json> CallTool(std::string_view name, const nlohmann::json& arguments, Duration timeout,
                                  const CancellationToken& cancel = {});
  Status Ping(Duration timeout);

  // False once the transport is gone (the process exited, a fatal protocol error, Close()).
  bool connected() const;
  // Why it is gone ("" while connected).
  std::string disconnect_reason() const;

  // Ends the session (see the file comment); pending calls fail with Unavailable. Idempotent.
  void Close();

  class Impl;

 private:
  explicit McpClient(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace reagent
