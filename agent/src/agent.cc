#include "reagent/agent/agent.h"

#include <algorithm>

#include <fmt/format.h>

#include "agent_shared.h"
#include "reagent/agent/react_protocol.h"
#include "reagent/llm/pricing.h"
#include "turn_runner.h"

namespace reagent {
namespace {

// Prices are per million tokens; asking the hook for a million of each gives per-token prices
// without rounding small prices to zero.
constexpr double kPriceProbeTokens = 1e6;

Status CheckLimits(const BudgetLimits& b, std::string_view name) {
  if (b.max_tokens < 0) return Status::InvalidArgument(fmt::format("{}.max_tokens must be >= 0", name));
  if (b.max_cost_usd < 0) return Status::InvalidArgument(fmt::format("{}.max_cost_usd must be >= 0", name));
  if (b.max_steps < 0) return Status::InvalidArgument(fmt::format("{}.max_steps must be >= 0", name));
  if (b.deadline < Duration::zero()) return Status::InvalidArgument(fmt::format("{}.deadline must be >= 0", name));
  return Status::Ok();
}

Status CheckOptions(const AgentOptions& o, const AgentDeps& d) {
  if (!d.model) return Status::InvalidArgument("agent: deps.model is required");
  if (!d.sanitizer) return Status::InvalidArgument("agent: deps.sanitizer is required");
  if (!d.sessions) return Status::InvalidArgument("agent: deps.sessions is required");
  if (o.max_steps < 1) return Status::InvalidArgument("agent: max_steps must be >= 1");
  REAGENT_RETURN_IF_ERROR(CheckLimits(o.budget, "agent: budget"));
  REAGENT_RETURN_IF_ERROR(CheckLimits(o.session_budget, "agent: session_budget"));
  REAGENT_RETURN_IF_ERROR(CheckLimits(o.user_daily_budget, "agent: user_daily_budget"));
  if (o.max_output_tokens < 1) return Status::InvalidArgument("agent: max_output_tokens must be >= 1");
  if (o.min_output_tokens < 0 || o.min_output_tokens > o.max_output_tokens) {
    return Status::InvalidArgument("agent: min_output_tokens must be in [0, max_output_tokens]");
  }
  if (o.max_parse_failures < 0) return Status::InvalidArgument("agent: max_parse_failures must be >= 0");
  if (o.max_parallel_tools < 1) return Status::InvalidArgument("agent: max_parallel_tools must be >= 1");
  if (o.max_tool_calls_per_step < 1) {
    return Status::InvalidArgument("agent: max_tool_calls_per_step must be >= 1");
  }
  if (o.warn_at < 0 || o.warn_at > 1) return Status::InvalidArgument("agent: warn_at must be in [0, 1]");
  if (o.context_window < 0) return Status::InvalidArgument("agent: context_window must be >= 0");
  return Status::Ok();
}

}  // namespace

Agent::Agent(AgentOptions options, AgentDeps deps, std::unique_ptr<const AgentShared> shared)
    : options_(std::move(options)), deps_(std::move(deps)), shared_(std::move(shared)) {}

Agent::~Agent() = default;

Result<std::unique_ptr<Agent>> Agent::Create(AgentOptions options, AgentDeps deps) {
  REAGENT_RETURN_IF_ERROR(CheckOptions(options, deps));
  auto shared = std::make_unique<AgentShared>();
  shared->clock = deps.clock ? deps.clock : &SystemClock::Default();
  shared->model_name = deps.model_name.empty() ? deps.model->name() : deps.model_name;
  if (deps.model_names.empty()) deps.model_names = {shared->model_name};
  shared->cost = deps.cost ? deps.cost : [](const std::string& model, const Usage& usage) {
    return Cost(model, usage);
  };
  shared->max_steps = options.budget.max_steps > 0
                          ? std::min(options.max_steps, options.budget.max_steps)
                          : options.max_steps;

  // Tools: the allow-list, in its order.
  if (deps.tools) {
    if (options.tool_allow_list.empty()) {
      shared->tools = deps.tools;
    } else {
      auto restricted = deps.tools->Restrict(options.tool_allow_list);
      if (!restricted.ok()) return restricted.status().WithContext("agent: tool_allow_list");
      shared->tools = std::make_shared<const ToolRegistry>(std::move(*restricted));
    }
    shared->tool_specs = shared->tools->Specs();
  } else if (!options.tool_allow_list.empty()) {
    return Status::InvalidArgument("agent: tool_allow_list names tools but deps.tools is null");
  }
  shared->tools_json = ToolsJson(shared->tool_specs);

  // Prompts.
  std::string closing = options.system_prompt;
  if (!closing.empty()) closing += "\n\n";
  closing += SpotlightRule();
  if (options.mode == AgentOptions::Mode::kReact) {
    std::vector<std::string> names;
    for (const ToolSpec& s : shared->tool_specs) names.push_back(s.name);
    shared->system_prompt = BuildReactSystemPrompt(
        options.system_prompt, shared->tools ? shared->tools->DescribeForReact() : "", names);
  } else {
    shared->system_prompt = closing;
  }
  shared->closing_system_prompt = std::move(closing);

  // The worst-case price over every model the chain may answer with.
  const bool cost_limited = options.budget.max_cost_usd > 0 ||
                            options.session_budget.max_cost_usd > 0 ||
                            options.user_daily_budget.max_cost_usd > 0;
  for (const std::string& m : deps.model_names) {
    const auto in = shared->cost(m, Usage{.prompt_tokens = static_cast<int64_t>(kPriceProbeTokens)});
    const auto out = shared->cost(m, Usage{.completion_tokens = static_cast<int64_t>(kPriceProbeTokens)});
    if (!in || !out) {
      if (cost_limited) {
        return Status::InvalidArgument(fmt::format(
            "agent: a cost limit is set but model \"{}\" is unpriced; add it to the price table "
            "or remove the cost limit",
            m));
      }
      continue;
    }
    shared->worst_price.input_per_token =
        std::max(shared->worst_price.input_per_token, *in / kPriceProbeTokens);
    shared->worst_price.output_per_token =
        std::max(shared->worst_price.output_per_token, *out / kPriceProbeTokens);
  }

  // The smallest known context window of the chain (a fallback must fit the prompt too).
  if (options.context_window > 0) {
    shared->context_window = options.context_window;
  } else {
    for (const std::string& m : deps.model_names) {
      if (const auto w = ContextWindow(m)) {
        shared->context_window = shared->context_window ? std::min(*shared->context_window, *w) : *w;
      }
    }
  }

  auto counter = MakePromptCounter(shared->model_name);
  if (!counter.ok()) return counter.status().WithContext("agent: token counter");
  shared->counter = std::move(*counter);
  shared->fixed_tokens = shared->counter->CountFixed(
      options.mode == AgentOptions::Mode::kTools ? shared->tools_json : nlohmann::json());
  shared->closing_fixed_tokens = shared->counter->CountFixed(nlohmann::json());
  shared->closing_system_tokens =
      shared->counter->CountMessage(Message::System(shared->closing_system_prompt));

  if (options.history_cache_bytes > 0) {
    shared->history_cache = std::make_unique<HistoryCache>(options.history_cache_bytes);
  }

  return std::unique_ptr<Agent>(new Agent(std::move(options), std::move(deps), std::move(shared)));
}

Result<TurnResult> Agent::Run(std::string_view session_id, std::string_view user_text,
                              AgentObserver* observer, CancellationToken cancel) const {
  TurnRunner runner(options_, deps_, *shared_, std::string(session_id), observer, std::move(cancel));
  return runner.Run(user_text);
}

std::string_view AgentEventKindName(AgentEvent::Kind kind) {
  switch (kind) {
    case AgentEvent::Kind::kTurnStarted: return "turn_started";
    case AgentEvent::Kind::kStepStarted: return "step_started";
    case AgentEvent::Kind::kTokenDelta: return "token_delta";
    case AgentEvent::Kind::kModelCall: return "model_call";
    case AgentEvent::Kind::kThought: return "thought";
    case AgentEvent::Kind::kToolCall: return "tool_call";
    case AgentEvent::Kind::kToolResult: return "tool_result";
    case AgentEvent::Kind::kParseError: return "parse_error";
    case AgentEvent::Kind::kStepFinished: return "step_finished";
    case AgentEvent::Kind::kRetry: return "retry";
    case AgentEvent::Kind::kLimiterWait: return "limiter_wait";
    case AgentEvent::Kind::kFallback: return "fallback";
    case AgentEvent::Kind::kBreakerTransition: return "breaker_transition";
    case AgentEvent::Kind::kCacheHit: return "cache_hit";
    case AgentEvent::Kind::kBudgetWarning: return "budget_warning";
    case AgentEvent::Kind::kSanitizerFinding: return "sanitizer_finding";
    case AgentEvent::Kind::kHistoryTrimmed: return "history_trimmed";
    case AgentEvent::Kind::kFinal: return "final";
  }
  return "unknown";
}

}  // namespace reagent
