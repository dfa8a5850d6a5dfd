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

#include <memory>

#include "reagent/agent/agent.h"
#include "reagent/llm/fallback_chain.h"
#include "reagent/llm/pricing.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/sanitizer/sanitizer.h"
#include "reagent/session/session_store.h"
#include "reagent/tools/tool_registry.h"
#include "reagent/runtime/config.h"

namespace reagent {

struct Runtime {
  Config config;
  std::shared_ptr<PriceTable> prices;
  std::shared_ptr<const Sanitizer> sanitizer;
  std::shared_ptr<SessionStore> sessions;
  std::shared_ptr<ToolRegistry> tools;
  ResilienceOptions resilience;          // retry, breaker and limiter settings in effect
  std::shared_ptr<FallbackChain> chain;  // breakers are reachable here
  std::shared_ptr<ChatModel> model;      // the chain, behind the cache when enabled
  std::unique_ptr<Agent> agent;
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

// Opens only the session store (for `reagent sessions` and slash commands).
Result<std::shared_ptr<SessionStore>> OpenSessions(const Config& config);

}  // namespace reagent
