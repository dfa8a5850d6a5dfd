// What `reagent mcp` and `reagent config check` share: turning a command-line target into an
// MCP server config, and describing started servers and their tools.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "reagent/core/status.h"
#include "reagent/mcp/mcp_server.h"
#include "reagent/runtime/config.h"

namespace reagent::cli {

// The servers a command names: nothing → every configured server; one word that names a
// configured server → that one; an http(s):// URL → an ad-hoc HTTP server; anything else →
// an ad-hoc stdio server running those words as its command. Ad-hoc servers are called "cli".
Result<std::vector<McpServerConfig>> ResolveMcpTargets(const Config& config, const std::vector<std::string>& target);

// One block per server: endpoint, server name/version and protocol, its tools (name as the
// agent sees it next to the `taken` names of built-ins, and description), the tools it
// refused and why. `problems` (servers that did not start, skipped tools) are listed after.
void PrintMcpServers(const std::vector<std::shared_ptr<McpServer>>& servers, const std::vector<std::string>& problems,
                     const std::vector<std::string>& taken, std::FILE* out);

// The same as JSON: [{"name","endpoint","server","protocol","tools":[{"name","server_name",
// "description"}],"refused":[{"name","reason"}]}], plus "problems".
Json McpServersReport(const std::vector<std::shared_ptr<McpServer>>& servers, const std::vector<std::string>& problems,
                      const std::vector<std::string>& taken);

// For `config check`: starts every server of config.mcp_servers (screened by the config's
// sanitizer), prints them as PrintMcpServers does, stops them. False when one did not start
// (or the sanitizer cannot be built); the problems are printed.
bool CheckMcpServers(const Config& config, std::FILE* out);

}  // namespace reagent::cli
