// What a running turn reports as it goes: enough to drive a live REPL display, structured
// logs and metrics. Events arrive in order, on the thread that called Agent::Run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reagent/agent/stop_reason.h"
#include "reagent/agent/token_budget.h"
#include "reagent/core/clock.h"
#include "reagent/core/message.h"
#include "reagent/llm/model_event.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent {

struct AgentEvent {
  enum class Kind {
    kTurnStarted,        // text: the user's message (after sanitizing)
    kStepStarted,        // step; closing_call for the final "answer now" call
    kTokenDelta,         // text: a streamed piece of the reply (AgentOptions::stream)
    kModelCall,          // model, usage (cost in usage.cost_usd), latency, attempts
    kThought,            // text: the model's reasoning for this step
    kToolCall,           // tool_call about to run
    kToolResult,         // tool_call, text (raw observation), is_error, error_kind
    kParseError,         // text: the corrective observation sent back to the model
    kStepFinished,       // step, usage of the step
    kRetry,              // model_event (attempt, wait, reason)
    kLimiterWait,        // model_event (wait)
    kFallback,           // model_event (model → to_model, reason)
    kBreakerTransition,  // model_event (model, from_state → to_state, reason)
    kCacheHit,           // model_event (saved_cost_usd)
    kBudgetWarning,      // warning: a limit passed AgentOptions::warn_at
    kSanitizerFinding,   // source, verdict, findings of one scanned text
    kHistoryTrimmed,     // text: the note that replaced the dropped messages
    kFinal,              // stop_reason, text: the final answer (may be empty)
  };
  Kind kind = Kind::kStepStarted;
  int step = 0;               // 1-based reason/act step; the closing call has steps + 1
  bool closing_call = false;
  std::string text;
  std::string model;
  Usage usage;
  Duration latency{0};
  int attempts = 0;
  ToolCall tool_call;
  bool is_error = false;
  std::string error_kind;
  ModelEvent model_event;
  BudgetWarning warning;
  std::string source;         // sanitizer: "user", "history", "tool:<name>", "model" (a secret in a reply)
  Verdict verdict = Verdict::kAllow;
  std::vector<Finding> findings;
  StopReason stop_reason = StopReason::kFinalAnswer;
  std::string stop_detail;
};

// "turn_started", "step_started", ... (stable names for logs and JSON output).
std::string_view AgentEventKindName(AgentEvent::Kind kind);

// Receives a turn's events. OnEvent runs synchronously inside Agent::Run: keep it quick, and
// do not call back into the same turn. One observer may watch several turns at once only if
// it is thread-safe itself.
class AgentObserver {
 public:
  virtual ~AgentObserver() = default;
  virtual void OnEvent(const AgentEvent& event) { (void)event; }
};

}  // namespace reagent
