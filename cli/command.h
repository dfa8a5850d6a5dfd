// How `reagent` subcommands plug in. Each subcommand lives in its own cli/cmd_<name>.cc and
// registers itself with a file-scope REAGENT_COMMAND(...); main.cc never changes when one is
// added. The callback runs after parsing and its return value is the process exit code.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace reagent::cli {

// Exit codes shared by all subcommands (see README "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitBudget = 3;
inline constexpr int kExitBlocked = 4;
inline constexpr int kExitModelsUnavailable = 5;
// A per-user limit (sessions.requests_per_minute, max_concurrent_per_user) refused the turn;
// stderr says when to try again.
inline constexpr int kExitRateLimited = 6;
// Ctrl-C (SIGINT) or SIGTERM cancelled the work: 128 + SIGINT, as shells report it.
inline constexpr int kExitCancelled = 130;

// What a subcommand's setup returns: the CLI11 subcommand it added and the function to run
// when that subcommand is selected (its result is the exit code).
struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Adds the subcommand (and its options) to `parent`.
using CommandSetup = std::function<Command(CLI::App& parent)>;

struct CommandRegistration {
  std::string name;
  CommandSetup setup;
};

std::vector<CommandRegistration>& RegisteredCommands();

struct CommandRegistrar {
  CommandRegistrar(std::string name, CommandSetup setup) {
    RegisteredCommands().push_back({std::move(name), std::move(setup)});
  }
};

}  // namespace reagent::cli

#define REAGENT_CLI_CONCAT_INNER_(a, b) a##b
#define REAGENT_CLI_CONCAT_(a, b) REAGENT_CLI_CONCAT_INNER_(a, b)
#define REAGENT_COMMAND(name, setup) \
  static ::reagent::cli::CommandRegistrar REAGENT_CLI_CONCAT_(reagent_command_, __LINE__)(name, setup)
