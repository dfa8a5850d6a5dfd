// What an Agent computes once at Create and every turn reads: the prompts, the tool list,
// the worst-case price, the counter. Immutable, so concurrent turns share it without locks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "history_cache.h"
#include "prompt_counter.h"
#include "reagent/agent/agent.h"
#include "reagent/agent/token_budget.h"

namespace reagent {

struct AgentShared {
  Clock* clock = nullptr;
  std::string model_name;
  std::shared_ptr<const ToolRegistry> tools;  // restricted to the allow-list; may be null
  std::vector<ToolSpec> tool_specs;           // native mode
  nlohmann::json tools_json;                  // the same as an OpenAI `tools` array (or null)
  std::string system_prompt;                  // for reason/act steps
  std::string closing_system_prompt;          // for the closing call (no tools)
  int64_t fixed_tokens = 0;                   // reply priming + tool schemas of a step
  int64_t closing_system_tokens = 0;
  int64_t closing_fixed_tokens = 0;           // reply priming (no tools)
  TokenPrice worst_price;                     // max over the chain's models
  std::optional<int64_t> context_window;
  std::shared_ptr<const PromptCounter> counter;
  std::function<std::optional<double>(const std::string&, const Usage&)> cost;
  int max_steps = 10;                         // min of the options' two step limits
  // Histories kept between turns (null: history_cache_bytes is 0). Thread-safe; the one
  // mutable member, changed only through its own lock.
  std::unique_ptr<HistoryCache> history_cache;
};

}  // namespace reagent
