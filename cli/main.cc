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

namespace {

// A repeatable option takes one value per occurrence (`-m a -m b "question"`): CLI11's default
// lets a list option keep eating words, which swallowed the question that follows. Lists of
// positional arguments (`reagent test A B C`) still take every word. Applied to every
// subcommand, so a new one cannot forget it.
void OneValuePerOccurrence(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (option->nonpositional() && option->get_expected_max() > 1) option->allow_extra_args(false);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) OneValuePerOccurrence(*sub);
}

}  // namespace
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
  OneValuePerOccurrence(app);

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
