#include "reagent/tools/tool.h"

#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <algorithm>
#include <exception>
#include <mutex>
#include <utility>

#include "reagent/core/json.h"
#include "reagent/tools/json_schema.h"
#include "reagent/tools/output_text.h"
#include "worker_pool.h"

namespace reagent {
namespace {

std::string FormatSeconds(Duration d) {
  const double s = ToSeconds(d);
  char buf[32];
  std::snprintf(buf, sizeof buf, s < 10 ? "%.3g s" : "%.0f s", s);
  return buf;
}

// The state one worker-thread call shares with its waiting caller. Owned jointly, so an
// abandoned worker writes into it safely after the caller has returned.
struct PendingCall {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<ToolResult> result;
  bool caller_cancelled = false;
  CancellationSource worker_cancel;
};

class LambdaTool final : public Tool {
 public:
  LambdaTool(ToolDefinition def, ToolFunction fn) : Tool(std::move(def)), fn_(std::move(fn)) {}

 protected:
  ToolResult Run(const nlohmann::json& arguments, const ToolContext& ctx) override {
    return fn_(arguments, ctx);
  }

 private:
  ToolFunction fn_;
};

}  // namespace

ToolResult ToolResult::Json(nlohmann::json value) {
  ToolResult r;
  r.text = DumpJson(value);
  r.structured = std::move(value);
  return r;
}

Tool::Tool(ToolDefinition definition) : def_(std::move(definition)) {}

ToolResult Tool::Invoke(const nlohmann::json& arguments, const ToolContext& ctx) {
  if (ctx.cancel.cancelled())
    return ToolResult::Error(tool_error::kCancelled, name() + " was not run: the call was cancelled");
  if (!arguments.is_object()) {
    return ToolResult::Error(tool_error::kInvalidArguments,
                             "invalid arguments for " + name() + ": arguments: expected object, got " +
                                 std::string(JsonTypeName(arguments)));
  }
  if (auto errors = SchemaErrors(def_.parameters, arguments); !errors.empty()) {
    std::string text = "invalid arguments for " + name() + ": ";
    for (std::size_t i = 0; i < errors.size(); ++i) text += (i ? "; " : "") + errors[i];
    return ToolResult::Error(tool_error::kInvalidArguments, std::move(text));
  }

  const Duration wait = TimeLeft(ctx);
  if (wait <= Duration::zero())
    return ToolResult::Error(tool_error::kTimeout, name() + " was not run: the deadline has passed");

  ToolResult result;
  if (EnforcesOwnTimeout() || def_.limits.timeout == Duration::zero() || weak_from_this().expired()) {
    result = RunGuarded(arguments, ctx);
  } else {
    result = RunOnWorker(arguments, ctx, wait);
  }
  if (result.is_error && result.error_kind.empty()) result.error_kind = tool_error::kFailed;
  result.text = CapOutput(MakeValidUtf8(result.text), def_.limits.max_output_bytes, result.bytes_cut);
  return result;
}

Duration Tool::TimeLeft(const ToolContext& ctx) const {
  Duration left = def_.limits.timeout == Duration::zero() ? Duration::max() : def_.limits.timeout;
  if (ctx.deadline && ctx.clock) left = std::min(left, std::max(Duration::zero(), *ctx.deadline - ctx.clock->Now()));
  return left;
}

ToolResult Tool::RunGuarded(const nlohmann::json& arguments, const ToolContext& ctx) {
  try {
    return Run(arguments, ctx);
  } catch (const std::exception& e) {
    return ToolResult::Error(tool_error::kFailed, name() + " failed: " + e.what());
  } catch (...) {
    return ToolResult::Error(tool_error::kFailed, name() + " failed with an unknown error");
  }
}

ToolResult Tool::RunOnWorker(const nlohmann::json& arguments, const ToolContext& ctx, Duration wait) {
  auto call = std::make_shared<PendingCall>();
  ToolContext worker_ctx{.cancel = call->worker_cancel.token(), .clock = ctx.clock, .deadline = ctx.deadline};
  tools_internal::SubmitToWorker(
      [call, self = shared_from_this(), args = arguments, worker_ctx]() mutable {
        ToolResult r = self->RunGuarded(args, worker_ctx);
        std::lock_guard lock(call->mu);
        call->result = std::move(r);
        call->cv.notify_all();
      });

  const int subscription = ctx.cancel.OnCancel([call] {
    std::lock_guard lock(call->mu);
    call->caller_cancelled = true;
    call->cv.notify_all();
  });
  const auto real_deadline = std::chrono::steady_clock::now() + wait;
  std::optional<ToolResult> result;
  bool cancelled;
  {
    std::unique_lock lock(call->mu);
    call->cv.wait_until(lock, real_deadline, [&] { return call->result || call->caller_cancelled; });
    result = std::move(call->result);
    cancelled = call->caller_cancelled;
  }
  ctx.cancel.Unsubscribe(subscription);
  if (result) return std::move(*result);

  call->worker_cancel.Cancel();  // a cooperative Run stops; a hung one is left behind
  if (cancelled)
    return ToolResult::Error(tool_error::kCancelled, name() + " was abandoned: the call was cancelled");
  return ToolResult::Error(tool_error::kTimeout, name() + " timed out after " + FormatSeconds(wait) +
                                                     " and was abandoned; try again with a simpler request or use another tool");
}

std::shared_ptr<Tool> MakeTool(ToolDefinition definition, ToolFunction fn) {
  return std::make_shared<LambdaTool>(std::move(definition), std::move(fn));
}

}  // namespace reagent
