// reagent: the command-line front end. Subcommands register themselves (see command.h).
#include <algorithm>
#include <cstdio>
#include <map>

#include "command.h"
#include "reagent/core/version.h"

namespace reagent::cli {

std::vector<CommandRegistration>& RegisteredCommands() {
  static std::vector<CommandRegistration> commands;
  return commands;
}

}  // namespace reagent::cli

int main(int argc, char** argv) {
  using namespace reagent::cli;
  CLI::App app{"reagent " REAGENT_VERSION
               " - a ReAct agent runtime with hard token budgets, an injection filter,\n"
               "SQLite sessions and resilient calls to OpenAI-compatible models."};
  app.set_version_flag("-V,--version", "reagent " REAGENT_VERSION);
  app.require_subcommand(0, 1);
  app.fallthrough(false);

  auto commands = RegisteredCommands();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::map<CLI::App*, std::function<int()>> runners;
  for (auto& registration : commands) {
    Command command = registration.setup(app);
    runners[command.app] = std::move(command.run);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  for (auto* sub : app.get_subcommands()) {
    auto it = runners.find(sub);
    if (it != runners.end()) return it->second();
  }
  std::fputs(app.help().c_str(), stdout);
  return kExitOk;
}
