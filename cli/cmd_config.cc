// reagent config check: validates the configuration exactly as `run` does (BuildRuntime
// without side effects: no database created, no logging set up) and prints the effective
// settings with every default filled in.
#include <cstdio>

#include "command.h"
#include "reagent/runtime/config.h"
#include "reagent/runtime/runtime.h"
#include "support/agent_flags.h"
#include "support/mcp_report.h"

namespace reagent::cli {
namespace {

int Check(const AgentFlags& flags, bool offline) {
  auto config = ResolveConfig(flags);
  if (!config.ok()) {
    std::fprintf(stderr, "reagent: %s\n", config.status().message().c_str());
    return kExitUsage;
  }
  auto runtime = BuildRuntime(*config, {.side_effects = false});
  if (!runtime.ok()) return ReportRuntimeError(*config, runtime.status());
  std::printf("%s\n", DumpJson(EffectiveConfigJson(*config), 2).c_str());
  if (!config->mcp_servers.empty() && !offline && !CheckMcpServers(*config, stderr)) return kExitUsage;
  std::fprintf(stderr, "config ok (%s)\n", config->source.c_str());
  return kExitOk;
}

Command Setup(CLI::App& parent) {
  auto* config = parent.add_subcommand("config", "Inspect reagent's configuration file");
  config->require_subcommand(1);
  auto flags = std::make_shared<AgentFlags>();
  auto* check = config->add_subcommand(
      "check",
      "Validate the configuration exactly as `run` would (same file search, same flags, nothing\n"
      "created) and print the effective settings with every default filled in (keys redacted).\n"
      "Exit: 0 valid, 2 invalid (each error names its key).");
  AddAgentFlags(check, *flags);
  auto offline = std::make_shared<bool>(false);
  check->add_flag("--offline", *offline,
                  "Do not start the MCP servers of tools.mcp (by default each is started, its tools listed, and "
                  "one that does not start fails the check)");
  return {config, [flags, check, offline] { return check->parsed() ? Check(*flags, *offline) : kExitUsage; }};
}

REAGENT_COMMAND("config", Setup);

}  // namespace
}  // namespace reagent::cli
