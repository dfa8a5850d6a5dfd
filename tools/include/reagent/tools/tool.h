// Tool: one capability the agent can call. A tool call is model output, so nothing about it
// is trusted: the name may not exist, the arguments may be malformed, the run may hang or
// print megabytes. The base class owns those concerns and subclasses only do the work, the
// way spdlog's sinks do (non-virtual `log` → protected `sink_it_`):
//
//   Invoke (non-virtual)                       Run (protected, virtual)
//     validates arguments against the schema     does the job, returns a ToolResult
//     enforces the timeout (abandons a hang)
//     caps the output, makes it valid UTF-8
//
// Every failure leaves Invoke as a ToolResult with is_error set and a machine-readable
// error_kind; the text is phrased for the model, which reads it as an observation.
//
// The text that leaves Invoke is UNTRUSTED even when is_error is false: a tool may relay a web
// page or a file written by an attacker. The agent passes it through the sanitizer before it
// becomes an observation (see ToolRegistry::SetOutputFilter for a hook).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/llm/chat_model.h"

namespace reagent {

// Stable values of ToolResult::error_kind (used in events, logs and scenario checks).
namespace tool_error {
inline constexpr std::string_view kInvalidArguments = "invalid_arguments";  // bad JSON or schema mismatch
inline constexpr std::string_view kUnknownTool = "unknown_tool";            // no such tool, or not allowed
inline constexpr std::string_view kTimeout = "timeout";                     // abandoned or killed at its limit
inline constexpr std::string_view kCancelled = "cancelled";                 // the caller's token fired
inline constexpr std::string_view kFailed = "failed";                       // the tool ran and reported an error
inline constexpr std::string_view kScriptExhausted = "script_exhausted";    // a ScriptedTool ran out of outputs
}  // namespace tool_error

// What the caller hands to one invocation.
struct ToolContext {
  // Fires when the caller gives up (Ctrl-C, request ended). Invoke stops waiting at once and
  // returns a `cancelled` result; Run implementations should check it in long loops.
  CancellationToken cancel;
  // The injected clock, for tools that tell time (current_time) and for `deadline`.
  // nullptr: tools fall back to their own clock (usually SystemClock::Default()).
  // Must outlive any Run it is passed to, including an abandoned one (see Tool::Invoke).
  Clock* clock = nullptr;
  // An overall deadline on `clock` (the agent's wall-clock budget). Invoke refuses to start
  // when it has passed, and waits no longer than the time left until it.
  std::optional<TimePoint> deadline;
};

struct ToolResult {
  std::string text;             // what the model reads; untrusted
  nlohmann::json structured;    // optional machine-readable result (null when absent)
  bool is_error = false;
  std::string error_kind;       // one of tool_error::k*, empty when !is_error
  // Bytes the tool already dropped from `text` before returning (an external program's output
  // beyond the cap is read and discarded), so the truncation marker states the real size.
  std::size_t bytes_cut = 0;

  static ToolResult Text(std::string text) { return {std::move(text), nullptr, false, {}, 0}; }
  static ToolResult Json(nlohmann::json value);  // text is the compact dump of value
  static ToolResult Error(std::string_view kind, std::string text) {
    return {std::move(text), nullptr, true, std::string(kind), 0};
  }
};

// Limits the base class enforces around Run.
struct ToolLimits {
  // How long Invoke waits for Run. Default 30 s: long enough for a slow search or a build
  // step, short enough that a hung tool costs one step, not the whole turn. Zero: no timeout,
  // Run executes on the caller's thread (no thread hop; for tools that are bounded by their
  // input, like calculator). See Tool::Invoke for how a hung Run is abandoned.
  Duration timeout = Seconds(30);
  // Output bytes kept; the rest is cut and a marker says how much. Default 16 KiB (≈4k
  // tokens): enough for a page of results, small enough that one tool cannot eat the budget.
  std::size_t max_output_bytes = 16 * 1024;
};

// Everything that describes a tool to a model and to the base class.
struct ToolDefinition {
  std::string name;            // [A-Za-z0-9_-]{1,64} (the OpenAI function-name rule)
  std::string description;     // one or two sentences the model reads
  // JSON schema of the arguments object (the subset in json_schema.h). Default: no arguments.
  nlohmann::json parameters = nlohmann::json{{"type", "object"}, {"properties", nlohmann::json::object()}};
  ToolLimits limits;
};

// Tools are shared (std::shared_ptr; create them with std::make_shared or MakeTool) so that
// a hung run that Invoke abandons keeps its tool alive until it returns.
// Thread-safe: Invoke may be called concurrently, provided Run is thread-safe (every tool in
// this library is).
class Tool : public std::enable_shared_from_this<Tool> {
 public:
  virtual ~Tool() = default;
  Tool(const Tool&) = delete;
  Tool& operator=(const Tool&) = delete;

  const std::string& name() const { return def_.name; }
  const std::string& description() const { return def_.description; }
  const nlohmann::json& parameters() const { return def_.parameters; }
  const ToolLimits& limits() const { return def_.limits; }
  const ToolDefinition& definition() const { return def_; }
  // The OpenAI `tools` entry (native tool-call mode).
  ToolSpec spec() const { return {def_.name, def_.description, def_.parameters}; }

  // Validates `arguments` against parameters(), runs the tool within its limits and returns
  // its result with the output capped and made valid UTF-8. Never throws (an exception
  // escaping Run becomes a `failed` result).
  //
  // Timeouts. The deadline is min(limits().timeout, ctx.deadline - ctx.clock->Now()). The
  // injected clock decides whether the call may start at all and how much of the overall
  // deadline is left; the wait itself is measured by a REAL timer (steady_clock), because
  // abandoning a Run that is stuck in a syscall cannot be simulated: a ManualClock never
  // moves while nobody sleeps on it. Run executes on a pooled worker thread; when the real
  // timer expires (or ctx.cancel fires) Invoke returns a `timeout` (`cancelled`) result at
  // once and the worker is abandoned: its ToolContext's cancel token fires, it keeps a
  // reference to this Tool and its own copy of the arguments, and its result is discarded
  // when it eventually returns — it never touches the caller's stack or the registry. A Run
  // that never returns leaks one thread, which is the price of not blocking the agent.
  // A Tool not owned by a shared_ptr cannot be kept alive that way and runs on the caller's
  // thread without the timeout.
  ToolResult Invoke(const nlohmann::json& arguments, const ToolContext& ctx = {});

 protected:
  explicit Tool(ToolDefinition definition);

  // Does the work. `arguments` has passed validation against parameters(). Called from the
  // caller's thread or a worker (see Invoke), possibly concurrently; after an abandonment
  // ctx.cancel has fired and the result is thrown away.
  virtual ToolResult Run(const nlohmann::json& arguments, const ToolContext& ctx) = 0;

  // True for tools that bound their own run time (external programs kill their process
  // group at limits().timeout): Invoke then calls Run on the caller's thread, with
  // ctx.deadline tightened to the tool's timeout.
  virtual bool EnforcesOwnTimeout() const { return false; }

  // The time this call may still take: min(limits().timeout, ctx.deadline - ctx.clock->Now()),
  // never negative; Duration::max() when there is neither a timeout nor a deadline.
  Duration TimeLeft(const ToolContext& ctx) const;

 private:
  ToolResult RunGuarded(const nlohmann::json& arguments, const ToolContext& ctx);
  ToolResult RunOnWorker(const nlohmann::json& arguments, const ToolContext& ctx, Duration wait);

  ToolDefinition def_;
};

using ToolFunction = std::function<ToolResult(const nlohmann::json& arguments, const ToolContext& ctx)>;

// A tool from a lambda:
//   auto add = MakeTool({.name = "add", .description = "Adds a and b",
//                        .parameters = R"({"type":"object","properties":{"a":{"type":"number"},
//                                      "b":{"type":"number"}},"required":["a","b"]})"_json},
//                       [](const Json& args, const ToolContext&) {
//                         return ToolResult::Text(std::to_string(args["a"].get<double>() +
//                                                                args["b"].get<double>()));
//                       });
// `fn` must be thread-safe if the tool is invoked concurrently.
std::shared_ptr<Tool> MakeTool(ToolDefinition definition, ToolFunction fn);

}  // namespace reagent
