// reagent config check: validates the configuration and prints the effective settings.
#include <cstdio>

#include "command.h"
#include "reagent/runtime/config.h"
#include "support/mcp_report.h"

namespace reagent::cli {
namespace {

Command Setup(CLI::App& parent) {
  auto* config = parent.add_subcommand("config", "Inspect reagent's configuration file");
  config->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  auto* check = config->add_subcommand(
      "check", "Validate the configuration and print the effective settings (keys redacted)");
  check->add_option("-c,--config", *path,
                    "Config file (default search: $REAGENT_CONFIG, ./reagent.json, "
                    "~/.config/reagent/config.json)");
  auto offline = std::make_shared<bool>(false);
  check->add_flag("--offline", *offline,
                  "Do not start the MCP servers of tools.mcp (by default each is started, its tools listed, and "
                  "one that does not start fails the check)");
  return {config, [path, check, offline] {
            if (!check->parsed()) return kExitUsage;
            auto cfg = LoadConfig(*path);
            if (!cfg.ok()) {
              std::fprintf(stderr, "reagent: %s\n", cfg.status().message().c_str());
              return kExitUsage;
            }
            std::printf("%s\n", DumpJson(EffectiveConfigJson(*cfg), 2).c_str());
            if (!cfg->mcp_servers.empty() && !*offline && !CheckMcpServers(*cfg, stderr)) return kExitUsage;
            std::fprintf(stderr, "config ok (%s)\n", cfg->source.c_str());
            return kExitOk;
          }};
}

REAGENT_COMMAND("config", Setup);

}  // namespace
}  // namespace reagent::cli
