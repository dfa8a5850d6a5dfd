// The flags that `reagent run`, `repl` and `batch` share: they override the config file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "reagent/runtime/config.h"

namespace reagent::cli {

struct AgentFlags {
  std::string config_path;
  std::string base_url;
  std::vector<std::string> models;  // fallback order
  std::string api_key_env;
  std::string mode;
  std::string system;
  std::string db;
  std::string user;
  std::optional<int> max_steps;
  std::optional<int64_t> max_tokens;
  std::optional<double> max_cost_usd;
  std::optional<double> deadline_s;
  std::optional<double> rpm;
  std::optional<double> tpm;
  std::string log_level;
};

// Adds the shared flags (with --help text) to a subcommand.
void AddAgentFlags(CLI::App* app, AgentFlags& flags);

// Loads the config (--config or the default search) and applies the flags over it.
Result<Config> ResolveConfig(const AgentFlags& flags);

// Prints why BuildRuntime refused `config` ("reagent: FILE: invalid configuration: KEY: ...")
// and returns the exit code: 2 for a configuration error, 1 for anything else (a locked
// database).
int ReportRuntimeError(const Config& config, const Status& status);

}  // namespace reagent::cli
