// How a turn's stop reason becomes `reagent run`'s exit status (README "Exit codes").
#pragma once

#include <string>

#include "command.h"
#include "reagent/core/status.h"
#include "reagent/agent/turn_result.h"

namespace reagent::cli {

// 0 answered; 3 a turn limit ran out — tokens or cost (budget_exhausted), steps (max_steps) or
// wall-clock (deadline) — even when the closing call still answered, so scripts can tell;
// 4 blocked; 5 models unavailable; 130 cancelled (Ctrl-C); 1 anything else.
inline int ExitCodeFor(const TurnResult& r) {
  switch (r.stop_reason) {
    case StopReason::kFinalAnswer: return kExitOk;
    case StopReason::kBudgetExhausted:
    case StopReason::kMaxSteps:
    case StopReason::kDeadline: return kExitBudget;
    case StopReason::kBlocked: return kExitBlocked;
    case StopReason::kModelsUnavailable: return kExitModelsUnavailable;
    case StopReason::kCancelled: return kExitCancelled;
    default: return kExitFailure;
  }
}

// The exit code and the line for stderr when a turn could not start or run (a Status rather
// than a stop reason): an unknown or expired session is a usage error; a per-user limit says
// when to try again.
struct TurnFailure {
  int exit_code = kExitFailure;
  std::string message;
};
TurnFailure DescribeTurnFailure(const Status& status);

}  // namespace reagent::cli
