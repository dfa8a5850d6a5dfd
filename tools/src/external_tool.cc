#include "reagent/tools/external_tool.h"

#include <cstdlib>
#include <cstring>

#include "reagent/core/json.h"
#include "reagent/tools/output_text.h"
#include "subprocess.h"

namespace reagent {
namespace {

std::string DescribeExit(const tools_internal::ProcessOutcome& o) {
  if (o.term_signal != 0) return std::string("was killed by signal ") + std::to_string(o.term_signal) + " (" + strsignal(o.term_signal) + ")";
  return "exited with status " + std::to_string(o.exit_code);
}

}  // namespace

ExternalTool::ExternalTool(ExternalToolConfig config) : Tool(config.definition), config_(std::move(config)) {}

Result<std::shared_ptr<ExternalTool>> ExternalTool::Create(ExternalToolConfig config) {
  if (config.argv.empty() || config.argv[0].empty())
    return Status::InvalidArgument(config.definition.name + ": argv must name a program");
  if (config.definition.limits.timeout <= Duration::zero())
    return Status::InvalidArgument(config.definition.name + ": an external tool needs a positive timeout");
  return std::make_shared<ExternalTool>(std::move(config));
}

ToolResult ExternalTool::Run(const nlohmann::json& arguments, const ToolContext& ctx) {
  tools_internal::ProcessSpec spec{
      .program = {.argv = config_.argv, .cwd = config_.cwd, .env = {}},
      .stdin_data = DumpJson(arguments) + "\n",
      .timeout = TimeLeft(ctx),
      .kill_grace = config_.kill_grace,
      .max_stdout_bytes = limits().max_output_bytes == 0 ? std::size_t(-1) : limits().max_output_bytes,
      .stderr_tail_bytes = config_.stderr_tail_bytes,
      .cancel = ctx.cancel,
  };
  for (const auto& name : config_.env)
    if (const char* v = std::getenv(name.c_str())) spec.program.env.push_back(name + "=" + v);
  for (const auto& [k, v] : config_.set_env) spec.program.env.push_back(k + "=" + v);

  Result<tools_internal::ProcessOutcome> run = tools_internal::RunProcess(spec);
  if (!run.ok()) return ToolResult::Error(tool_error::kFailed, run.status().message());
  const auto& o = *run;
  const std::string seconds = [&] {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", ToSeconds(spec.timeout));
    return std::string(buf);
  }();
  const std::string killed = o.needed_sigkill ? "; it ignored SIGTERM and was killed with SIGKILL"
                                              : "; its process group was terminated";
  if (o.cancelled) return ToolResult::Error(tool_error::kCancelled, name() + " was cancelled" + killed);
  if (o.timed_out) return ToolResult::Error(tool_error::kTimeout, name() + " timed out after " + seconds + " s" + killed);
  if (o.exit_code != 0) {
    std::string text = name() + " " + DescribeExit(o);
    std::string tail = MakeValidUtf8(o.stderr_tail);
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
    if (!tail.empty()) text += ": " + tail;
    return ToolResult::Error(tool_error::kFailed, std::move(text));
  }
  ToolResult r = ToolResult::Text(o.stdout_data);
  r.bytes_cut = o.stdout_total - o.stdout_data.size();
  return r;
}

}  // namespace reagent
