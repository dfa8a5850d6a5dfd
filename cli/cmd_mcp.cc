// reagent mcp: talk to Model Context Protocol servers directly — list their tools the way the
// agent would see them, call one.
#include <cstdio>

#include "command.h"
#include "reagent/core/json.h"
#include "reagent/mcp/mcp_server.h"
#include "reagent/runtime/runtime.h"
#include "support/mcp_report.h"

namespace reagent::cli {
namespace {

struct McpFlags {
  std::string config_path;
  std::vector<std::string> target;
  bool json = false;
  std::string tool;
  std::string args = "{}";
  double timeout_s = 0;  // 0: the server's timeout_s
};

const char* kTargetHelp =
    "The server: a name from tools.mcp, an http(s):// URL, or a command to run (stdio; put it after --). "
    "Default: every configured server";

// Starts the servers the flags name; prints what went wrong. nullopt → exit code in *code.
std::optional<std::vector<std::shared_ptr<McpServer>>> Start(const McpFlags& f, Config* config, int* code,
                                                              std::vector<std::string>* problems) {
  auto loaded = LoadConfig(f.config_path);
  if (!loaded.ok()) {
    std::fprintf(stderr, "reagent: %s\n", loaded.status().message().c_str());
    *code = kExitUsage;
    return std::nullopt;
  }
  *config = *loaded;
  auto targets = ResolveMcpTargets(*config, f.target);
  if (!targets.ok()) {
    std::fprintf(stderr, "reagent mcp: %s\n", targets.status().message().c_str());
    *code = kExitUsage;
    return std::nullopt;
  }
  if (f.timeout_s > 0)
    for (auto& t : *targets) t.call_timeout = Seconds(f.timeout_s);
  auto sanitizer = MakeSanitizer(*config);
  if (!sanitizer.ok()) {
    std::fprintf(stderr, "reagent: %s\n", sanitizer.status().message().c_str());
    *code = kExitUsage;
    return std::nullopt;
  }
  auto servers = StartMcpServers(*targets, *sanitizer, problems);
  if (servers.empty()) {
    for (const auto& p : *problems) std::fprintf(stderr, "reagent mcp: %s\n", p.c_str());
    *code = kExitFailure;
    return std::nullopt;
  }
  return servers;
}

int List(const McpFlags& f) {
  Config config;
  int code = kExitOk;
  std::vector<std::string> problems;
  auto servers = Start(f, &config, &code, &problems);
  if (!servers) return code;
  const std::vector<std::string> taken = f.target.empty() ? config.builtin_tools : std::vector<std::string>{};
  if (f.json) {
    std::printf("%s\n", DumpJson(McpServersReport(*servers, problems, taken), 2).c_str());
  } else {
    PrintMcpServers(*servers, problems, taken, stdout);
  }
  return servers->size() == (f.target.empty() ? config.mcp_servers.size() : 1) ? kExitOk : kExitFailure;
}

int Call(const McpFlags& f) {
  auto args = ParseJson(f.args, "--args");
  if (!args.ok() || !args->is_object()) {
    std::fprintf(stderr, "reagent mcp call: --args must be a JSON object%s%s\n", args.ok() ? "" : ": ",
                 args.ok() ? "" : args.status().message().c_str());
    return kExitUsage;
  }
  Config config;
  int code = kExitOk;
  std::vector<std::string> problems;
  auto servers = Start(f, &config, &code, &problems);
  if (!servers) return code;
  // The tool by its server's name or by the name the agent sees.
  std::shared_ptr<Tool> chosen;
  for (const auto& tool : MakeMcpTools(*servers, {})) {
    auto* m = dynamic_cast<const McpTool*>(tool.get());
    if (tool->name() == f.tool || (m && m->remote_name() == f.tool)) {
      chosen = tool;
      break;
    }
  }
  if (!chosen) {
    for (const auto& s : *servers)
      for (const auto& r : s->refused())
        if (r.name == f.tool) {
          std::fprintf(stderr, "reagent mcp call: %s is refused: %s\n", f.tool.c_str(), r.reason.c_str());
          return kExitFailure;
        }
    std::fprintf(stderr, "reagent mcp call: no server offers a tool named \"%s\" (reagent mcp list shows them)\n",
                 f.tool.c_str());
    return kExitUsage;
  }
  ToolResult r = chosen->Invoke(*args);
  if (f.json) {
    std::printf("%s\n", DumpJson({{"tool", chosen->name()}, {"text", r.text}, {"structured", r.structured},
                                  {"is_error", r.is_error}, {"error_kind", r.error_kind}},
                                 2)
                            .c_str());
  } else {
    std::fprintf(r.is_error ? stderr : stdout, "%s\n", r.text.c_str());
  }
  return r.is_error ? kExitFailure : kExitOk;
}

Command Setup(CLI::App& parent) {
  auto* mcp = parent.add_subcommand(
      "mcp", "Model Context Protocol servers: list their tools as the agent sees them, call one");
  mcp->require_subcommand(1);
  auto flags = std::make_shared<McpFlags>();
  auto common = [&](CLI::App* sub) {
    sub->add_option("-c,--config", flags->config_path,
                    "Config file (default search: $REAGENT_CONFIG, ./reagent.json, ~/.config/reagent/config.json)");
    sub->add_flag("--json", flags->json, "Print JSON instead of text");
    sub->add_option("target", flags->target, kTargetHelp);
  };
  auto* list = mcp->add_subcommand(
      "list", "Start the server(s), print each one's tools (and the ones refused, with the reason) and stop them");
  common(list);
  auto* call = mcp->add_subcommand("call", "Call one tool and print its result (exit 1 when the tool reports an error)");
  call->add_option("-t,--tool", flags->tool, "The tool, by its server's name or the name the agent sees")->required();
  call->add_option("-a,--args", flags->args, "The arguments as a JSON object (default {})");
  call->add_option("--timeout", flags->timeout_s, "Seconds the call may take (default: the server's timeout_s, 30)");
  common(call);
  return {mcp, [flags, list, call] {
            if (list->parsed()) return List(*flags);
            if (call->parsed()) return Call(*flags);
            return kExitUsage;
          }};
}

REAGENT_COMMAND("mcp", Setup);

}  // namespace
}  // namespace reagent::cli
