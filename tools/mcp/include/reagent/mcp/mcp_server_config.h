// How to reach one Model Context Protocol server, and the limits reagent holds it to.
//
//   McpServerConfig fs{.name = "fs",
//                      .command = {"npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv/docs"}};
//   McpServerConfig web{.name = "web", .url = "https://mcp.example.com/mcp",
//                       .headers = {{"Authorization", "Bearer ${WEB_MCP_TOKEN}"}}};
//
// Exactly one of `command` (the stdio transport: reagent starts the server as a child process)
// and `url` (the streamable HTTP transport) is set. Everything the server sends is untrusted:
// the limits below bound what one message, one listing and one call may cost.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"

namespace reagent {

struct McpServerConfig {
  // [A-Za-z0-9_-]{1,32}. Names the server in logs, errors, `/tools`, and in tool names when two
  // servers (or a server and a built-in) offer the same tool name: "<name>__<tool>".
  std::string name;

  // stdio: the program and its arguments (argv[0] without '/' is looked up in PATH). Started
  // with posix_spawn, never a shell, in its own process group.
  std::vector<std::string> command;
  // Fixed environment variables for the child; "${VAR}" in a value is replaced by reagent's
  // own $VAR (empty when unset), so tokens stay out of the file.
  std::map<std::string, std::string> env;
  // Names copied from reagent's environment. The child always gets HOME, LOGNAME, PATH, SHELL,
  // TERM and USER (what Node-based servers need to start); nothing else leaks, API keys
  // included, unless named here.
  std::vector<std::string> pass_env;
  std::string cwd;  // empty: reagent's working directory

  // streamable HTTP: the MCP endpoint (http:// or https://).
  std::string url;
  // Extra request headers (e.g. Authorization); "${VAR}" expands as in `env`. Values are
  // registered as secrets, so they never appear in logs or `config check`.
  std::map<std::string, std::string> headers;

  // The server's tools the agent may call, by the names the server gives them. Empty: all.
  std::vector<std::string> allowed_tools;
  // Prefix every tool of this server with "<name>__", collisions or not.
  bool prefix_tools = false;

  // One tools/call, from request to result. Default 30 s, like any tool; on expiry reagent
  // sends notifications/cancelled and the call becomes a `timeout` result.
  Duration call_timeout = Seconds(30);
  // Starting the server and the initialize handshake (plus the first tools/list). Default
  // 30 s: `npx` may have to fetch a package the first time.
  Duration connect_timeout = Seconds(30);
  // Bytes of a result's text the model sees; the rest is cut with a marker. Default 16 KiB,
  // the same as every tool.
  std::size_t max_output_bytes = 16 * 1024;
  // The largest JSON-RPC message accepted from the server. Default 4 MiB: generous for any
  // listing or result worth showing a model; a larger one fails that call with a clear error
  // instead of growing memory.
  std::size_t max_message_bytes = std::size_t{4} << 20;
};

// The problems of a config, each "key: what is wrong" (empty: usable). Names the keys as they
// appear in reagent.json ("command", "url", "name", ...).
std::vector<std::string> McpServerConfigErrors(const McpServerConfig& config);

// "stdio: npx -y @modelcontextprotocol/server-filesystem /srv" or "http: https://host/mcp"
// (query strings dropped: they may carry tokens).
std::string DescribeMcpEndpoint(const McpServerConfig& config);

// "${VAR}" replaced by the environment's value (empty when unset); "$$" is a literal "$".
std::string ExpandEnvReferences(std::string_view text);

}  // namespace reagent
