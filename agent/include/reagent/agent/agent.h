// Agent: the ReAct loop. One turn = the user's message in, a final answer (or a stated reason
// for stopping) out, with every step paid for out of a hard budget, every input sanitized and
// every step committed to the session store as it completes.
//
//   auto agent = Agent::Create({.system_prompt = "You are a helpful assistant.",
//                               .budget = {.max_tokens = 8000, .max_cost_usd = 0.05}},
//                              {.model = chain, .model_name = "gpt-4.1",
//                               .sanitizer = sanitizer, .sessions = store, .tools = registry});
//   if (!agent.ok()) return agent.status();
//   Result<TurnResult> r = (*agent)->Run(session_id, "What is 17*23?", &observer, cancel);
//   if (r.ok()) std::cout << r->final_answer << " (" << StopReasonName(r->stop_reason) << ")\n";
//
// A turn, in order (see the project's DESIGN.md, "Data flow of one turn"):
//  1. begin the turn in the session store (per-user limits) and load the history;
//  2. scan the user's message: block → stop `blocked`, no model call, nothing spent;
//  3. loop: build the prompt (system + trimmed history + this turn's steps), count it exactly,
//     reserve it plus the output allowance in the TokenBudget (capping max_tokens), call the
//     model, settle the real usage, parse the reply (ReAct text or native tool calls), run
//     the tools, scan and spotlight their output, commit the step;
//  4. when steps or budget run out: one closing "answer now" call that fits what is left
//     (not a step), or stop without it; the stop reason says which limit ended the turn.
//
// Run returns a Status error only for misuse and infrastructure failures (unknown session,
// user rate-limited, storage failure at the start). Everything a model or tool does —
// outages, malformed replies, timeouts — ends the turn with a StopReason and the work so far.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/agent/agent_event.h"
#include "reagent/agent/stop_reason.h"
#include "reagent/agent/token_budget.h"
#include "reagent/agent/turn_result.h"
#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/chat_model.h"
#include "reagent/sanitizer/sanitizer.h"
#include "reagent/session/session_store.h"
#include "reagent/tools/tool_registry.h"

namespace reagent {

struct AgentOptions {
  // The application's instructions, first in every prompt. The ReAct format and the tool
  // list are appended in kReact mode.
  std::string system_prompt;

  enum class Mode {
    kReact,  // the Thought/Action/Observation text protocol: works with any chat model
    kTools,  // native OpenAI tools/tool_calls: parallel calls, exact arguments; needs support
  };
  Mode mode = Mode::kReact;

  // Reason/act steps per turn. More lets the agent dig deeper and spend more.
  int max_steps = 10;
  // Per-turn limits (tokens, cost, steps, deadline); all unlimited by default.
  BudgetLimits budget;
  // Limits over the session's whole life (max_tokens, max_cost_usd), counted from the
  // session's ledger; unlimited by default.
  BudgetLimits session_budget;
  // Limits per user per UTC day (max_tokens, max_cost_usd), counted from the usage ledger;
  // unlimited by default.
  BudgetLimits user_daily_budget;

  // Output tokens requested per call, lowered to what the budget leaves. Larger allows longer
  // answers and reserves more of the budget per call.
  int64_t max_output_tokens = 1024;
  // A call is made only if at least this many output tokens fit; below it the step does not
  // fit and the closing call (or budget_exhausted) follows.
  int64_t min_output_tokens = 32;
  // Consecutive malformed replies tolerated; one more ends the turn with `error`.
  int max_parse_failures = 3;
  // Tools this agent may call (a subset of the registry, in this order); empty: all of them.
  std::vector<std::string> tool_allow_list;
  // Native tool calls of one reply run concurrently, this many at a time (1: one after another,
  // in the model's order). Their results enter the history in the model's order whatever
  // order they finish in; tools must be safe to call concurrently (ToolRegistry is).
  int max_parallel_tools = 8;
  // Native tool calls run per reply. A reply asking for more (a confused or hostile model can
  // send 10,000) runs the first this many and tells the model the rest were not run.
  int max_tool_calls_per_step = 16;

  // What to do when a model reply contains a secret — a key registered with RegisterSecret
  // (every API key the client reads is), in any case, or a key-shaped token ("sk-…").
  enum class SecretPolicy {
    kRedact,  // replace it with [REDACTED] before the reply is shown, stored, logged or acted on
    kBlock,   // the same, and end the turn with stop reason `blocked` and no answer
  };
  SecretPolicy on_secret = SecretPolicy::kRedact;
  // Fraction of a limit at which a budget warning event fires once. 0 disables warnings.
  double warn_at = 0.7;
  // When set, Run refuses sessions owned by another user (PermissionDenied).
  std::string user_id;

  // The model's context window in tokens (prompt + output). 0: from the price table for
  // AgentDeps::model_name; unknown there → no context trimming (budget trimming still applies).
  int64_t context_window = 0;
  // Sampling temperature sent with every call; nullopt: the provider's default.
  std::optional<double> temperature;
  // Ask the model to stream and report the pieces as kTokenDelta events.
  bool stream = false;
  // Scan history loaded from the store before it re-enters the prompt (a tampered database
  // must not smuggle instructions in). Costs one scan per stored message when a process first
  // loads a session; later turns reuse the scanned history (history_cache_bytes).
  bool sanitize_history = true;
  // Memory for the history of recently used sessions, kept between turns as it enters prompts
  // (scanned, counted): a turn of a session that nobody else wrote to since this agent's last
  // turn on it reads one summary row instead of reloading, re-scanning and re-counting every
  // stored message, so a turn's cost does not grow with the session's length. Least recently
  // used sessions go first; 0 disables (every turn loads the whole history).
  size_t history_cache_bytes = 16 << 20;
};

struct AgentDeps {
  // The model (usually a FallbackChain from MakeResilientModel). Required.
  std::shared_ptr<ChatModel> model;
  // The model name used for pricing, token counting and the context window; empty:
  // model->name(). Requests leave ChatRequest::model empty so a chain picks its own names.
  std::string model_name;
  // Every model the chain may answer with; the budget reserves at the most expensive of them.
  // Empty: {model_name}.
  std::vector<std::string> model_names;
  // Required: every input passes through it.
  std::shared_ptr<const Sanitizer> sanitizer;
  // Required: where history and steps live.
  std::shared_ptr<SessionStore> sessions;
  // The tools; nullptr: none (the agent can only answer). The list is read at Create: tools
  // registered afterwards are not offered to the model.
  std::shared_ptr<ToolRegistry> tools;
  // Time for deadlines and events; nullptr: SystemClock::Default(). Must outlive the Agent.
  Clock* clock = nullptr;
  // USD for a usage on a model; empty: the built-in price table (reagent/llm/pricing.h).
  // nullopt means unpriced, never free.
  std::function<std::optional<double>(const std::string& model, const Usage& usage)> cost;
};

struct AgentShared;  // per-agent data built once by Create (prompts, prices, counter)

class Agent {
 public:
  // Validates the options and dependencies (InvalidArgument naming the field): a model,
  // sanitizer and session store are required; limits must not be negative; a cost limit
  // needs every model of the chain priced; allow-listed tools must exist.
  static Result<std::unique_ptr<Agent>> Create(AgentOptions options, AgentDeps deps);

  ~Agent();
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Runs one turn of `session_id` with the user's message. Thread-safe: one Agent serves
  // many sessions concurrently (per-user concurrency is limited by the session store). The
  // observer (optional) receives the turn's events synchronously; `cancel` stops the turn
  // between and inside model calls and tools (stop reason `cancelled`, work kept).
  // Status errors: NotFound/Expired session, RateLimited user, PermissionDenied (other
  // user's session), and storage failures while loading.
  Result<TurnResult> Run(std::string_view session_id, std::string_view user_text,
                         AgentObserver* observer = nullptr, CancellationToken cancel = {}) const;

  const AgentOptions& options() const { return options_; }
  const AgentDeps& deps() const { return deps_; }

 private:
  Agent(AgentOptions options, AgentDeps deps, std::unique_ptr<const AgentShared> shared);

  AgentOptions options_;
  AgentDeps deps_;
  std::unique_ptr<const AgentShared> shared_;  // immutable: concurrent turns read it freely
};

}  // namespace reagent
