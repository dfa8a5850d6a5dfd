// Everything `reagent run`, `repl` and `batch` need, assembled from a Config: the sanitizer,
// the SQLite session store, the tools, the model chain (OpenAI-compatible clients behind
// retry, breaker, limiter and fallback, optionally a response cache) and the agent.
#pragma once

#include <memory>

#include "reagent/agent/agent.h"
#include "reagent/llm/fallback_chain.h"
#include "reagent/llm/pricing.h"
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
  std::shared_ptr<FallbackChain> chain;  // breakers are reachable here
  std::shared_ptr<ChatModel> model;      // the chain, behind the cache when enabled
  std::unique_ptr<Agent> agent;
};

// Builds the runtime; errors name the config key or component that failed. `stream`: ask the
// model to stream (for live display); batch jobs need not.
Result<std::unique_ptr<Runtime>> BuildRuntime(const Config& config, bool stream = true);

// Opens only the session store (for `reagent sessions` and slash commands).
Result<std::shared_ptr<SessionStore>> OpenSessions(const Config& config);

}  // namespace reagent
