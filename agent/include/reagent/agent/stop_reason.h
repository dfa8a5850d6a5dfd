// Why a turn ended. Every turn ends with exactly one reason; the names are stable (JSON,
// scenario files, logs, `reagent run` exit codes).
#pragma once

#include <optional>
#include <string_view>

namespace reagent {

enum class StopReason {
  kFinalAnswer,        // the model gave a final answer within every limit
  kMaxSteps,           // the step limit was reached; the closing call may still have answered
  kBudgetExhausted,    // the next step no longer fit the token/cost budget
  kDeadline,           // the turn's wall-clock deadline passed
  kBlocked,            // the sanitizer blocked the user's message; no model was called
  kModelsUnavailable,  // no model in the chain could answer (outage, quota, breakers open)
  kCancelled,          // the caller's cancellation token fired
  kError,              // the model kept replying in a malformed way, or an internal failure
};

// "final_answer", "max_steps", "budget_exhausted", "deadline", "blocked",
// "models_unavailable", "cancelled", "error".
std::string_view StopReasonName(StopReason reason);

// The inverse of StopReasonName; nullopt for an unknown name.
std::optional<StopReason> ParseStopReason(std::string_view name);

}  // namespace reagent
