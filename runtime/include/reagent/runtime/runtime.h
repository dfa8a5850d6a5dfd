// Everything `reagent run`, `repl`, `batch` and `config check` need, assembled from a Config:
// the sanitizer, the session store, the tools, the model chain (OpenAI-compatible clients
// behind retry, breaker, limiter and fallback, optionally a response cache) and the agent.
//
// BuildRuntime is the one validation path: every front end builds through it, so a
// configuration `reagent config check` accepts is one `reagent run` accepts, and the reverse.
//
//   auto config = LoadConfig("");                              // file errors name the key
//   auto checked = BuildRuntime(*config, {.side_effects = false});  // config check: no files
//   auto runtime = BuildRuntime(*config);                      // run: opens the database
//   (*runtime)->agent->Run(session_id, "What is 17*23?");
//
// Every configuration mistake is InvalidArgument naming the key ("tools.builtin[2]: no
// built-in tool \"grep\" ...", "sessions.db: directory \"/nope\" does not exist"). Other codes
// mean the configuration is fine but something outside it failed (a locked or corrupt
// database: IOError, Unavailable, DataLoss).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reagent/agent/agent.h"
#include "reagent/llm/fallback_chain.h"
#include "reagent/llm/pricing.h"
#include "reagent/mcp/mcp_server.h"
#include "reagent/llm/resilient_model.h"
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
  ResilienceOptions resilience;          // retry, breaker and limiter settings in effect
  std::shared_ptr<FallbackChain> chain;  // breakers are reachable here
  std::shared_ptr<ChatModel> model;      // the chain, behind the cache when enabled
  std::unique_ptr<Agent> agent;
  bool stream = true;  // what the agent was built with (kept for rebuilding it)
};

struct RuntimeOptions {
  // Ask the model to stream (for live display); batch jobs need not.
  bool stream = true;
  // false: validate and assemble everything, touching nothing outside the process. The
  // session database and the response cache are checked (an existing file, or a directory
  // it can be created in) but neither opened nor created — the agent gets an in-memory
  // store — and logging is not reconfigured. What `reagent config check` does.
  bool side_effects = true;
};

// Validates the configuration completely and builds the runtime (see above).
Result<std::unique_ptr<Runtime>> BuildRuntime(const Config& config, const RuntimeOptions& options = {});
// The same with only `stream` chosen.
inline Result<std::unique_ptr<Runtime>> BuildRuntime(const Config& config, bool stream) {
  return BuildRuntime(config, RuntimeOptions{.stream = stream});
}

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
