// The `tools.mcp` section of reagent.json: Model Context Protocol servers whose tools the
// agent may call.
//
//   "tools": {"mcp": [
//     {"name": "fs", "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/srv/docs"],
//      "env": {"LOG_LEVEL": "warn"}, "pass_env": ["HTTPS_PROXY"], "cwd": "/srv",
//      "tools": ["read_text_file", "list_directory"], "timeout_s": 20, "max_output_bytes": 16384},
//     {"name": "search", "url": "https://mcp.example.com/mcp",
//      "headers": {"Authorization": "Bearer ${SEARCH_MCP_TOKEN}"}}
//   ]}
//
// Keys per entry: name (required), command | url (exactly one), env, pass_env, cwd (stdio),
// headers (HTTP), tools (allow-list), prefix_tools, timeout_s, connect_timeout_s,
// max_output_bytes, max_message_bytes. See McpServerConfig for what each does and its
// default. Errors name the key ("tools.mcp[1].url: expected an http:// or https:// URL").
#pragma once

#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/mcp/mcp_server_config.h"

namespace reagent {

// Appends "path: message" lines to `errors` for every problem; `path` is "tools.mcp".
std::vector<McpServerConfig> ParseMcpServers(const Json& list, const std::string& path,
                                             std::vector<std::string>& errors);

// The entries as `config check` shows them: header values redacted, env values shown only as
// references ("${VAR}") or "(set)".
Json McpServersJson(const std::vector<McpServerConfig>& servers);

}  // namespace reagent
