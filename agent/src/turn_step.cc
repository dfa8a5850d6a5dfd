// The reason/act step, the closing call, tool execution and model-call accounting of a turn.
#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "reagent/agent/react_protocol.h"
#include "reagent/core/abbreviate.h"
#include "reagent/core/logging.h"
#include "reagent/core/secret_scrubber.h"
#include "turn_runner.h"

namespace reagent {
namespace {

bool IsReact(const AgentOptions& o) { return o.mode == AgentOptions::Mode::kReact; }

std::string Trimmed(std::string_view s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string CategoriesOf(const ScanResult& scan) {
  std::string out;
  for (const std::string& c : scan.categories) out += (out.empty() ? "" : ", ") + c;
  return out.empty() ? "unspecified" : out;
}

constexpr std::string_view kWithheldReply = "[reply withheld: it contained a secret]";

// Redacts secrets in every part of a reply that reagent shows, stores, logs or acts on (a
// tool call carrying the key to a web tool would exfiltrate it). True when there were any.
bool RedactReply(ChatResponse& r) {
  bool found = false;
  auto scrub = [&](std::string& text) {
    std::string clean = RedactSecrets(text);
    if (clean != text) {
      text = std::move(clean);
      found = true;
    }
  };
  scrub(r.content);
  for (ToolCall& c : r.tool_calls) {
    scrub(c.name);
    scrub(c.arguments);
  }
  return found;
}

bool IsRegistryRejection(const ToolResult& r) {
  return r.is_error && (r.error_kind == tool_error::kUnknownTool ||
                        r.error_kind == tool_error::kInvalidArguments);
}

AgentEvent::Kind EventKindFor(ModelEvent::Kind k) {
  switch (k) {
    case ModelEvent::Kind::kRetry: return AgentEvent::Kind::kRetry;
    case ModelEvent::Kind::kLimiterWait: return AgentEvent::Kind::kLimiterWait;
    case ModelEvent::Kind::kBreakerTransition: return AgentEvent::Kind::kBreakerTransition;
    case ModelEvent::Kind::kFallback: return AgentEvent::Kind::kFallback;
    case ModelEvent::Kind::kCacheHit: return AgentEvent::Kind::kCacheHit;
  }
  return AgentEvent::Kind::kRetry;
}

std::string DescribeModelEvent(const ModelEvent& e) {
  switch (e.kind) {
    case ModelEvent::Kind::kRetry:
      return fmt::format("{}: attempt {} failed ({}); retrying in {:.1f} s", e.model, e.attempt,
                         e.reason, ToSeconds(e.wait));
    case ModelEvent::Kind::kLimiterWait:
      return fmt::format("{}: pacing, waiting {:.1f} s", e.model, ToSeconds(e.wait));
    case ModelEvent::Kind::kBreakerTransition:
      return fmt::format("{}: circuit breaker {} -> {} ({})", e.model, e.from_state, e.to_state,
                         e.reason);
    case ModelEvent::Kind::kFallback:
      return fmt::format("{} unavailable ({}); falling back to {}", e.model, e.reason, e.to_model);
    case ModelEvent::Kind::kCacheHit:
      return fmt::format("{}: served from the response cache (saved ${:.6f})", e.model,
                         e.saved_cost_usd);
  }
  return {};
}

}  // namespace

StopReason TurnRunner::StopForModelError(const ModelError& error) const {
  if (error.kind == ModelErrorKind::kCancelled || cancel_.cancelled()) return StopReason::kCancelled;
  // The deadline wins when it has passed or is what ended the call (a transfer cut short at
  // the deadline, a retry that would have passed it), whatever the transport said.
  if (budget_.DeadlinePassed() || error.hit_deadline) return StopReason::kDeadline;
  switch (error.kind) {
    case ModelErrorKind::kBadRequest:
    case ModelErrorKind::kContextLengthExceeded:
    case ModelErrorKind::kMalformedResponse:
    case ModelErrorKind::kContentFilter:
      return StopReason::kError;  // the request or reply is at fault, not the provider's health
    default:
      return StopReason::kModelsUnavailable;
  }
}

TurnRunner::ModelCall TurnRunner::CallModel(ChatRequest request, const Reservation& reservation,
                                              StepTrace& trace) {
  int call_retries = 0;
  int call_fallbacks = 0;
  request.on_event = [&](const ModelEvent& me) {
    if (me.kind == ModelEvent::Kind::kRetry) ++call_retries;
    if (me.kind == ModelEvent::Kind::kFallback) ++call_fallbacks;
    AgentEvent e{.kind = EventKindFor(me.kind), .step = trace.index,
                 .closing_call = trace.closing_call, .text = DescribeModelEvent(me),
                 .model = me.model};
    e.model_event = me;
    Emit(std::move(e));
  };
  trace.max_output_tokens = request.max_tokens.value_or(0);

  // Streamed text reaches the observer only through the scrubber: a key split across deltas
  // is never shown, not even in halves.
  SecretScrubber scrubber;
  auto emit_delta = [&](const std::string& text) {
    if (text.empty()) return;
    Emit({.kind = AgentEvent::Kind::kTokenDelta, .step = trace.index,
          .closing_call = trace.closing_call, .text = text});
  };
  ChatResult r = [&] {
    if (options_.stream && observer_) {
      return deps_.model->Stream(request, [&](const ChatDelta& d) {
        if (!d.content.empty()) emit_delta(scrubber.Feed(d.content));
      });
    }
    return deps_.model->Complete(request);
  }();
  emit_delta(scrubber.Finish());

  ModelCall out;
  if (!r.ok()) {
    budget_.Release(reservation);
    result_.retries += call_retries;
    result_.fallbacks += call_fallbacks;
    out.error = r.error();
    return out;
  }
  ChatResponse& resp = r.value();
  result_.retries += std::max(call_retries, resp.attempts - 1);
  result_.fallbacks += std::max(call_fallbacks, resp.fallbacks);
  // Priced, budgeted and reported by the name reagent asked for: the server's name is
  // untrusted (an unpriced name would switch the cost limit off, a cheaper one undercharge).
  const std::string asked = resp.requested_model.empty() ? shared_.model_name : resp.requested_model;
  if (!resp.model.empty() && resp.model != asked) {
    Logger()->info("{} answered as \"{}\"", asked, Abbreviate(RedactSecrets(resp.model), kMaxEchoedName));
  }
  resp.model = asked;

  Usage usage = resp.usage;
  if (resp.cache_hit) {
    usage = Usage{.cost_usd = 0.0};  // served locally: the provider charged nothing
  } else {
    if (usage.prompt_tokens == 0 && usage.completion_tokens == 0) {
      // The provider did not report usage: charge what was sent and what came back.
      usage.prompt_tokens = reservation.prompt_tokens;
      std::string text = resp.content;
      for (const ToolCall& c : resp.tool_calls) text += c.name + c.arguments;
      usage.completion_tokens = shared_.counter->CountText(text);
    } else if (usage.prompt_tokens == 0) {
      // Only the reply was counted (by the client, for a provider that sent no usage): the
      // prompt is what was sent, and its exact count is known.
      usage.prompt_tokens = reservation.prompt_tokens;
    }
    usage.cost_usd = shared_.cost(resp.model, usage);
  }
  EmitWarnings(budget_.Settle(reservation, usage));
  result_.usage += usage;
  trace.model = resp.model;
  trace.usage = usage;
  if (std::find(result_.models_used.begin(), result_.models_used.end(), resp.model) ==
      result_.models_used.end()) {
    result_.models_used.push_back(resp.model);
  }
  AgentEvent e{.kind = AgentEvent::Kind::kModelCall, .step = trace.index,
               .closing_call = trace.closing_call, .model = resp.model, .usage = usage,
               .latency = resp.latency, .attempts = resp.attempts};
  e.text = usage.cost_usd ? fmt::format("{}: {} prompt + {} completion tokens, ${:.6f}", resp.model,
                                        usage.prompt_tokens, usage.completion_tokens, *usage.cost_usd)
                          : fmt::format("{}: {} prompt + {} completion tokens (unpriced)",
                                        resp.model, usage.prompt_tokens, usage.completion_tokens);
  Emit(std::move(e));
  out.secret = RedactReply(resp);
  if (out.secret) {
    const bool block = options_.on_secret == AgentOptions::SecretPolicy::kBlock;
    const Finding finding{.rule = "output.secret", .category = "secret_leak", .weight = 1.0};
    result_.findings.push_back(finding);
    AgentEvent found{.kind = AgentEvent::Kind::kSanitizerFinding, .step = trace.index,
                     .closing_call = trace.closing_call, .model = resp.model};
    found.source = "model";
    found.verdict = block ? Verdict::kBlock : Verdict::kRedact;
    found.findings = {finding};
    found.text = fmt::format("model: the reply contained a secret (an API key or key-shaped "
                             "token); {}", block ? "withheld" : "redacted");
    Logger()->warn("{}: {}", resp.model, found.text);
    Emit(std::move(found));
  }
  out.ok = true;
  out.response = std::move(resp);
  return out;
}

ChatRequest TurnRunner::MakeRequest(Prompt prompt, const Reservation& reservation,
                                    bool with_tools) const {
  ChatRequest request;
  request.messages = std::move(prompt.messages);
  if (with_tools && !IsReact(options_)) request.tools = shared_.tool_specs;
  if (IsReact(options_)) request.stop = {std::string(kReactStopSequence)};
  int64_t allowance = reservation.max_output_tokens;
  if (shared_.context_window) allowance = std::min(allowance, *shared_.context_window - prompt.tokens);
  request.max_tokens = allowance;  // the provider cannot write more than was reserved
  request.prompt_tokens = prompt.tokens;
  request.temperature = options_.temperature;
  request.deadline = budget_.deadline();
  request.cancel = cancel_;
  return request;
}

bool TurnRunner::StepOnce() {
  if (cancel_.cancelled()) {
    Stop(StopReason::kCancelled, fmt::format("cancelled after {} steps", budget_.steps()));
    return false;
  }
  if (budget_.DeadlinePassed()) {
    Stop(StopReason::kDeadline,
         fmt::format("the turn's deadline of {:g} s passed after {} steps",
                     ToSeconds(options_.budget.deadline), budget_.steps()));
    return false;
  }
  EmitWarnings(budget_.CheckTime());
  if (!budget_.StepAvailable()) {
    Closing(StopReason::kMaxSteps, fmt::format("reached the limit of {} steps", shared_.max_steps));
    return false;
  }

  const auto [limit, step_limit] = PromptLimits(false);
  Prompt prompt = BuildPrompt(shared_.fixed_tokens, limit, step_limit);
  if (shared_.context_window &&
      prompt.tokens + options_.min_output_tokens > *shared_.context_window) {
    Stop(StopReason::kError,
         fmt::format("the prompt ({} tokens) does not fit the model's context window of {} "
                     "tokens even after trimming the history",
                     prompt.tokens, *shared_.context_window));
    return false;
  }
  auto reservation = budget_.Reserve(prompt.tokens, options_.max_output_tokens,
                                     options_.min_output_tokens, shared_.worst_price);
  if (!reservation.ok()) {
    prompt = {};  // no longer shares conv_, which the closing call changes
    Closing(StopReason::kBudgetExhausted, reservation.error().ToString());
    return false;
  }

  StepTrace trace{.index = budget_.steps() + 1};
  Emit({.kind = AgentEvent::Kind::kStepStarted, .step = trace.index});
  ModelCall call = CallModel(MakeRequest(std::move(prompt), *reservation, /*with_tools=*/true),
                             *reservation, trace);
  if (!call.ok) {
    result_.model_error = call.error;
    Stop(StopForModelError(call.error), call.error.ToString());
    return false;
  }
  EmitWarnings(budget_.CountStep());
  result_.steps = budget_.steps();

  bool go_on = false;
  if (call.secret && options_.on_secret == AgentOptions::SecretPolicy::kBlock) {
    WithholdReply(trace);
  } else {
    go_on = IsReact(options_) ? HandleReactReply(call.response, trace)
                              : HandleToolsReply(call.response, trace);
  }
  nlohmann::json extra = nlohmann::json::object();
  if (stopped_) extra["stop_reason"] = StopReasonName(result_.stop_reason);
  const Status committed = Commit(&trace, std::move(extra));
  const Usage step_usage = trace.usage;
  result_.trace.push_back(std::move(trace));
  Emit({.kind = AgentEvent::Kind::kStepFinished, .step = result_.steps, .usage = step_usage});
  if (!committed.ok()) {
    stopped_ = false;  // a storage failure overrides: the turn cannot promise its steps persist
    Stop(StopReason::kError, "could not store the step: " + committed.ToString());
    return false;
  }
  return go_on && !stopped_;
}

bool TurnRunner::HandleReactReply(const ChatResponse& response, StepTrace& trace) {
  ReactReply reply = ParseReactReply(response.content);
  trace.thought = reply.thought;
  if (!reply.thought.empty()) {
    Emit({.kind = AgentEvent::Kind::kThought, .step = trace.index, .text = reply.thought});
  }
  Push(Message::Assistant(reply.text));
  switch (reply.kind) {
    case ReactReply::Kind::kFinalAnswer:
      consecutive_parse_failures_ = 0;
      trace.final_answer = reply.final_answer;
      result_.final_answer = std::move(reply.final_answer);
      result_.model_used = response.model;
      Stop(StopReason::kFinalAnswer, "");
      return false;
    case ReactReply::Kind::kAction: {
      consecutive_parse_failures_ = 0;
      ToolCall call{.id = fmt::format("react_{}", trace.index), .name = reply.action,
                    .arguments = reply.action_input};
      trace.tool_calls.push_back(call);
      const std::string observation = ExecuteTool(call, trace);
      Push(Message::User(ReactObservationMessage(observation)));
      return true;
    }
    case ReactReply::Kind::kMalformed:
      break;
  }
  return MalformedReply(reply.error, trace);
}

bool TurnRunner::HandleToolsReply(const ChatResponse& response, StepTrace& trace) {
  if (!response.tool_calls.empty()) {
    consecutive_parse_failures_ = 0;
    trace.thought = Trimmed(response.content);
    if (!trace.thought.empty()) {
      Emit({.kind = AgentEvent::Kind::kThought, .step = trace.index, .text = trace.thought});
    }
    std::vector<ToolCall> calls = response.tool_calls;
    const size_t requested = calls.size();
    const size_t limit = static_cast<size_t>(options_.max_tool_calls_per_step);
    // Only the calls that run enter the history, so every call there has its result.
    if (calls.size() > limit) calls.resize(limit);
    for (size_t i = 0; i < calls.size(); ++i) {
      if (calls[i].id.empty()) calls[i].id = fmt::format("call_{}_{}", trace.index, i + 1);
    }
    Push(Message::Assistant(response.content, calls));
    for (const ToolCall& call : calls) trace.tool_calls.push_back(call);
    std::vector<std::string> observations = ExecuteTools(calls, trace);
    for (size_t i = 0; i < calls.size(); ++i) {
      Push(Message::Tool(calls[i].id, calls[i].name, std::move(observations[i])));
    }
    if (requested > limit) {
      const std::string note = fmt::format(
          "Your reply asked for {} tool calls; only the first {} were run (at most {} per step). "
          "Ask again for any of the others you still need.",
          requested, limit, limit);
      trace.observations.push_back(note);
      result_.observations.push_back(note);
      Emit({.kind = AgentEvent::Kind::kParseError, .step = trace.index, .text = note});
      Push(Message::User(note));
    }
    return true;
  }
  std::string answer = Trimmed(response.content);
  if (!answer.empty()) {
    consecutive_parse_failures_ = 0;
    Push(Message::Assistant(response.content));
    trace.final_answer = answer;
    result_.final_answer = std::move(answer);
    result_.model_used = response.model;
    Stop(StopReason::kFinalAnswer, "");
    return false;
  }
  return MalformedReply("Your reply was empty. Call one of the tools, or answer the user.", trace);
}

void TurnRunner::WithholdReply(StepTrace& trace) {
  Push(Message::Assistant(std::string(kWithheldReply)));
  trace.final_answer.clear();
  Stop(StopReason::kBlocked,
       "the model's reply contained a secret (an API key or key-shaped token) and was withheld "
       "(agent.on_secret is block)");
}

bool TurnRunner::MalformedReply(const std::string& correction, StepTrace& trace) {
  ++result_.parse_failures;
  ++consecutive_parse_failures_;
  trace.observations.push_back(correction);
  result_.observations.push_back(correction);
  Emit({.kind = AgentEvent::Kind::kParseError, .step = trace.index, .text = correction});
  Push(Message::User(IsReact(options_) ? ReactObservationMessage(correction) : correction));
  if (options_.max_parse_failures > 0 &&
      consecutive_parse_failures_ >= options_.max_parse_failures) {
    Stop(StopReason::kError,
         fmt::format("the model's reply was malformed {} times in a row; last problem: {}",
                     consecutive_parse_failures_, correction));
    return false;
  }
  return true;
}

ToolResult TurnRunner::InvokeTool(const ToolCall& call) const {
  if (!shared_.tools) {
    return ToolResult::Error(tool_error::kUnknownTool,
                             fmt::format("{} is not a valid tool: no tools are available, answer "
                                         "with what you know",
                                         call.name));
  }
  return shared_.tools->Invoke(call.name, call.arguments,
                               ToolContext{.cancel = cancel_, .clock = &clock_,
                                           .deadline = budget_.deadline()});
}

std::string TurnRunner::ExecuteTool(const ToolCall& call, StepTrace& trace) {
  Emit({.kind = AgentEvent::Kind::kToolCall, .step = trace.index, .tool_call = call});
  return ObserveTool(call, InvokeTool(call), trace);
}

std::vector<std::string> TurnRunner::ExecuteTools(const std::vector<ToolCall>& calls,
                                                  StepTrace& trace) {
  std::vector<std::string> observations;
  const size_t parallel = static_cast<size_t>(std::max(1, options_.max_parallel_tools));
  if (calls.size() < 2 || parallel < 2) {
    for (const ToolCall& call : calls) observations.push_back(ExecuteTool(call, trace));
    return observations;
  }
  // Every call is announced, the calls run at most `parallel` at a time, and the results are
  // observed (scanned, wrapped, reported) in the model's order, whatever order they finish in.
  for (const ToolCall& call : calls) {
    Emit({.kind = AgentEvent::Kind::kToolCall, .step = trace.index, .tool_call = call});
  }
  std::vector<ToolResult> results(calls.size());
  for (size_t first = 0; first < calls.size(); first += parallel) {
    const size_t last = std::min(calls.size(), first + parallel);
    std::vector<std::thread> workers;
    for (size_t i = first + 1; i < last; ++i) {
      workers.emplace_back([&, i] { results[i] = InvokeTool(calls[i]); });
    }
    results[first] = InvokeTool(calls[first]);  // this thread takes one of the calls
    for (std::thread& w : workers) w.join();
  }
  for (size_t i = 0; i < calls.size(); ++i) {
    observations.push_back(ObserveTool(calls[i], std::move(results[i]), trace));
  }
  return observations;
}

std::string TurnRunner::ObserveTool(const ToolCall& call, ToolResult r, StepTrace& trace) {
  std::string observation;
  std::string wrapped;
  if (IsRegistryRejection(r)) {
    // The registry's own message about the call (unknown tool, bad arguments): trusted text.
    observation = r.text;
    wrapped = r.text;
  } else {
    result_.tool_calls.push_back(call.name);
    // With a history cache, the next turn's history scan of this output is judged now, from
    // the same scan (the output is matched once).
    const bool prescan = shared_.history_cache && options_.sanitize_history;
    std::vector<ScanResult> scans =
        prescan ? deps_.sanitizer->ScanAs(r.text, {TextSource::kTool, TextSource::kHistory})
                : std::vector<ScanResult>{deps_.sanitizer->Scan(r.text, TextSource::kTool)};
    const ScanResult& scan = scans.front();
    RecordScan(scan, "tool:" + call.name);
    if (prescan && scan.verdict == Verdict::kAllow && scan.cleaned == r.text) {
      // The history scan reads this text when the wrapped output is stored unchanged.
      ScanResult& history = scans.back();
      prescanned_.push_back({std::move(r.text), history.verdict == Verdict::kAllow
                                                    ? std::nullopt
                                                    : std::optional(std::move(history))});
    }
    if (scan.verdict == Verdict::kBlock) {
      observation = fmt::format(
          "[The output of {} was withheld: the injection filter blocked it ({}).]", call.name,
          CategoriesOf(scan));
      wrapped = observation;
    } else {
      observation = scan.cleaned;
      wrapped = deps_.sanitizer->Wrap(observation, call.name, nonce_, scan);
    }
  }
  trace.tool_error_kinds.push_back(r.is_error ? r.error_kind : "");
  trace.observations.push_back(observation);
  result_.observations.push_back(observation);
  Emit({.kind = AgentEvent::Kind::kToolResult, .step = trace.index, .text = observation,
        .tool_call = call, .is_error = r.is_error, .error_kind = r.error_kind});
  return wrapped;
}

void TurnRunner::Closing(StopReason reason, std::string detail) {
  if (cancel_.cancelled()) {
    Stop(StopReason::kCancelled, fmt::format("cancelled after {} steps", budget_.steps()));
    return;
  }
  const std::string why = reason == StopReason::kMaxSteps
                              ? fmt::format("the limit of {} steps is reached", shared_.max_steps)
                              : std::string("the budget is nearly spent");
  // The closing prompt is the conversation with the application's own system prompt and the
  // instruction to answer now: swapped into conv_ for the call (no copy of the history) and
  // taken out again before the answer is added.
  Message step_system = std::exchange(conv_[0], Message::System(shared_.closing_system_prompt));
  window_.Reset();  // its prompts hold the step's system prompt
  const int64_t step_system_tokens = std::exchange(conv_tokens_[0], shared_.closing_system_tokens);
  conv_tokens_total_ += shared_.closing_system_tokens - step_system_tokens;
  Push(Message::User(ClosingInstruction(why)));
  auto restore = [&] {
    PopLast();  // resets the window too
    conv_tokens_total_ += step_system_tokens - conv_tokens_[0];
    conv_tokens_[0] = step_system_tokens;
    conv_[0] = std::move(step_system);
  };
  const auto [limit, step_limit] = PromptLimits(true);
  Prompt prompt = BuildPrompt(shared_.closing_fixed_tokens, limit, step_limit);
  auto reservation = budget_.Reserve(prompt.tokens, options_.max_output_tokens,
                                     options_.min_output_tokens, shared_.worst_price);
  if (!reservation.ok()) {
    prompt = {};
    restore();
    Stop(reason, detail + "; no room left for a closing answer (" +
                     reservation.error().ToString() + ")");
    return;
  }
  StepTrace trace{.index = budget_.steps() + 1, .closing_call = true};
  Emit({.kind = AgentEvent::Kind::kStepStarted, .step = trace.index, .closing_call = true});
  ModelCall call = CallModel(MakeRequest(std::move(prompt), *reservation, /*with_tools=*/false),
                             *reservation, trace);
  restore();
  if (!call.ok) {
    result_.model_error = call.error;
    const StopReason r = StopForModelError(call.error);
    if (r == StopReason::kCancelled || r == StopReason::kDeadline) {
      Stop(r, detail + "; the closing call was interrupted: " + call.error.ToString());
    } else {
      Stop(reason, detail + "; the closing call failed: " + call.error.ToString());
    }
    return;
  }
  if (call.secret && options_.on_secret == AgentOptions::SecretPolicy::kBlock) {
    WithholdReply(trace);
  } else {
    const std::string& content = call.response.content;
    std::string answer = IsReact(options_) ? ExtractClosingAnswer(content) : Trimmed(content);
    Push(Message::Assistant(IsReact(options_) ? ParseReactReply(content).text : content));
    trace.final_answer = answer;
    result_.final_answer = std::move(answer);
    result_.model_used = call.response.model;
    Stop(reason, std::move(detail));
  }
  const Status committed = Commit(&trace, {{"stop_reason", StopReasonName(result_.stop_reason)}});
  const Usage usage = trace.usage;
  result_.trace.push_back(std::move(trace));
  Emit({.kind = AgentEvent::Kind::kStepFinished, .step = result_.steps + 1, .closing_call = true,
        .usage = usage});
  if (!committed.ok()) {
    result_.stop_detail += "; could not store the closing answer: " + committed.ToString();
  }
}

}  // namespace reagent
