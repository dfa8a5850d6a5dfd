// How a turn's stop reason becomes `reagent run`'s exit status (README "Exit codes").
#pragma once

#include "command.h"
#include "reagent/agent/turn_result.h"

namespace reagent::cli {

// 0 answered; 3 budget exhausted or deadline passed (the wall-clock budget; even when the
// closing call still answered, so scripts can tell); 4 blocked; 5 models unavailable; 1
// anything else without an answer.
inline int ExitCodeFor(const TurnResult& r) {
  switch (r.stop_reason) {
    case StopReason::kFinalAnswer: return kExitOk;
    case StopReason::kBudgetExhausted:
    case StopReason::kDeadline: return kExitBudget;
    case StopReason::kBlocked: return kExitBlocked;
    case StopReason::kModelsUnavailable: return kExitModelsUnavailable;
    case StopReason::kMaxSteps: return r.final_answer.empty() ? kExitFailure : kExitOk;
    default: return kExitFailure;
  }
}

}  // namespace reagent::cli
