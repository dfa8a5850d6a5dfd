// The REPL's slash commands: /help, /new, /sessions, /load ID, /history, /budget, /model,
// /tools, /scan TEXT, /cost, /exit.
#pragma once

#include <cstdio>
#include <optional>
#include <string>

#include "reagent/agent/turn_result.h"
#include "reagent/runtime/runtime.h"

namespace reagent::cli {

struct ReplState {
  Runtime* runtime = nullptr;
  std::string session_id;
  std::optional<TurnResult> last_turn;
  int turns = 0;
  Usage total{.cost_usd = 0.0};  // this REPL's spending; priced until an unpriced call
  bool colors = false;
};

enum class ReplCommandResult { kHandled, kExit };

// Starts a new session for the configured user and makes it current.
Status NewSession(ReplState& state);

// Runs one slash command line ("/load abc"), printing to `out`.
ReplCommandResult RunReplCommand(ReplState& state, const std::string& line, std::FILE* out);

}  // namespace reagent::cli
