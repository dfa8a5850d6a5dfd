// What one turn produced: the answer, why it stopped, and everything it did on the way (so
// hitting a limit never throws the work away).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reagent/agent/stop_reason.h"
#include "reagent/core/message.h"
#include "reagent/llm/model_error.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent {

// One model call of the turn: a reason/act step, or the closing "answer now" call.
struct StepTrace {
  int index = 0;               // 1-based; the closing call follows the last step
  bool closing_call = false;   // the final-answer call after max_steps/budget (not a step)
  std::string model;           // the model that answered
  Usage usage;                 // tokens and cost (usage.cost_usd) of this call
  int64_t max_output_tokens = 0;  // the allowance the budget granted
  std::string thought;
  std::vector<ToolCall> tool_calls;       // what the model asked for (executed or not)
  // Parallel to tool_calls: "" for a successful run, else the ToolResult's error_kind
  // ("unknown_tool" and "invalid_arguments" mean the call was rejected, not executed).
  std::vector<std::string> tool_error_kinds;
  std::vector<std::string> observations;  // raw observation texts, before spotlighting
  std::string final_answer;    // when this call produced it
};

struct TurnResult {
  std::string final_answer;    // empty when the turn ended without one
  StopReason stop_reason = StopReason::kError;
  std::string stop_detail;     // human-readable: what limit, which error
  int steps = 0;               // reason/act steps (the closing call is not one)
  std::vector<StepTrace> trace;
  Usage usage;                 // sum over every call of the turn; cost_usd nullopt if unpriced
  std::string model_used;      // the model that produced the final answer
  std::vector<std::string> models_used;  // distinct models that answered, in first-use order
  int retries = 0;             // repeated attempts, summed over the turn's calls
  int fallbacks = 0;           // moves to a later model in the chain
  std::vector<std::string> tool_calls;    // names of the executed calls, in order
  std::vector<std::string> observations;  // raw observation texts of the turn, in order
  std::vector<Finding> findings;          // every sanitizer finding of the turn
  bool blocked = false;        // the user's message was blocked (stop_reason kBlocked)
  int parse_failures = 0;      // malformed replies answered with a corrective observation
  // The model error that ended the turn (models_unavailable, error, deadline, cancelled
  // during a call), or that made the closing call fail; nullopt otherwise.
  std::optional<ModelError> model_error;
};

}  // namespace reagent
