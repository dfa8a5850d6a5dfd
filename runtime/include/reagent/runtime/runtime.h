// Everything `reagent run`, `repl` and `batch` need, assembled from a Config: the sanitizer,
// the SQLite session store, the tools, the model chain (OpenAI-compatible clients behind
// retry, breaker, limiter and fallback, optionally a response cache) and the agent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reagent/agent/agent.h"
#include "reagent/llm/fallback_chain.h"
#include "reagent/llm/pricing.h"
#include "reagent/mcp/mcp_server.h"
#include "reagent/sanitizer/sanitizer.h"
#include "reagent/session/session_store.h"
#include "reagent/tools/tool_registry.h"
#include "reagent/runtime/config.h"

namespace reagent {

struct Runtime {
  Config config;
  // The MCP servers that started (config order) and what went wrong on the way: servers that
  // could not start, tools refused or skipped. Empty without `tools.mcp`.
  std::vector<std::shared_ptr<McpServer>> mcp_servers;
  std::vector<std::string> mcp_problems;
  uint64_t mcp_generation = 0;  // the servers' generations summed when the tools were built
  std::shared_ptr<PriceTable> prices;
  std::shared_ptr<const Sanitizer> sanitizer;
  std::shared_ptr<SessionStore> sessions;
  std::shared_ptr<ToolRegistry> tools;
  std::shared_ptr<FallbackChain> chain;  // breakers are reachable here
  std::shared_ptr<ChatModel> model;      // the chain, behind the cache when enabled
  std::unique_ptr<Agent> agent;
  bool stream = true;  // what the agent was built with (kept for rebuilding it)
};

// Builds the runtime; errors name the config key or component that failed. `stream`: ask the
// model to stream (for live display); batch jobs need not.
Result<std::unique_ptr<Runtime>> BuildRuntime(const Config& config, bool stream = true);

// The sanitizer the config describes (rule files, thresholds).
Result<std::shared_ptr<const Sanitizer>> MakeSanitizer(const Config& config);

// Starts the configured MCP servers, in parallel, each within its connect_timeout. Every
// tool's description and schema text is scanned by `sanitizer` first; a tool it does not
// pass as clean is refused. A server that cannot start is reported in `problems` (with the
// reason, e.g. "mcp server \"fs\" (stdio: npx ...) did not start: ..."), not an error: the
// agent runs without its tools.
std::vector<std::shared_ptr<McpServer>> StartMcpServers(const std::vector<McpServerConfig>& configs,
                                                        std::shared_ptr<const Sanitizer> sanitizer,
                                                        std::vector<std::string>* problems);

// When a server's tool list changed since the tools were built (notifications/tools/
// list_changed, a restart), rebuilds the registry and the agent so the next turn's prompt
// lists the new tools. Returns whether it did. Not thread-safe with a running turn: call it
// between turns (the REPL does before each one).
Result<bool> RefreshMcpTools(Runtime& runtime);

// Opens only the session store (for `reagent sessions` and slash commands).
Result<std::shared_ptr<SessionStore>> OpenSessions(const Config& config);

}  // namespace reagent
