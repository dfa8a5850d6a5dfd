#include "support/agent_flags.h"

#include <cstdio>

#include "command.h"

namespace reagent::cli {

void AddAgentFlags(CLI::App* app, AgentFlags& f) {
  app->add_option("-c,--config", f.config_path,
                  "Config file (default search: $REAGENT_CONFIG, ./reagent.json, "
                  "~/.config/reagent/config.json)");
  app->add_option("--base-url", f.base_url,
                  "OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 (default: config, "
                  "$OPENAI_BASE_URL, or OpenAI)");
  app->add_option("-m,--model", f.models,
                  "Model name; repeat for a fallback order (first is primary)");
  app->add_option("--api-key-env", f.api_key_env,
                  "Environment variable holding the API key (default OPENAI_API_KEY); the key "
                  "itself is never printed or logged");
  app->add_option("--mode", f.mode, "Agent protocol: react (text) or tools (native tool calls)")
      ->check(CLI::IsMember({"react", "tools"}));
  app->add_option("--system", f.system, "System prompt");
  app->add_option("--db", f.db, "Session database (default: config, $REAGENT_DB, ./reagent.db)");
  app->add_option("--user", f.user, "User id for sessions and per-user limits (default cli)");
  app->add_option("--max-steps", f.max_steps, "Reason/act steps per turn (default 10)")
      ->check(CLI::PositiveNumber);
  app->add_option("--max-tokens", f.max_tokens,
                  "Token budget per turn, prompt + completion (default 8000; 0 = unlimited)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--max-cost", f.max_cost_usd, "Cost budget per turn in USD (0 = unlimited)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--deadline", f.deadline_s, "Wall-clock budget per turn in seconds (default 300)")
      ->check(CLI::NonNegativeNumber);
  app->add_option("--rpm", f.rpm, "Client-side pacing: requests per minute per model")
      ->check(CLI::PositiveNumber);
  app->add_option("--tpm", f.tpm, "Client-side pacing: tokens per minute per model")
      ->check(CLI::PositiveNumber);
  app->add_option("--log-level", f.log_level, "trace, debug, info, warn (default), error, off");
}

Result<Config> ResolveConfig(const AgentFlags& f) {
  REAGENT_ASSIGN_OR_RETURN(Config c, LoadConfig(f.config_path));
  if (!f.models.empty()) {
    ModelConfig base = c.models.empty() ? ModelConfig{} : c.models.front();
    std::vector<ModelConfig> models;
    for (const auto& name : f.models) {
      ModelConfig m = base;
      for (const auto& existing : c.models) {
        if (existing.model == name) m = existing;  // keep its url, key variable, prices
      }
      m.model = name;
      models.push_back(std::move(m));
    }
    c.models = std::move(models);
  }
  for (auto& m : c.models) {
    if (!f.base_url.empty()) m.base_url = f.base_url;
    if (!f.api_key_env.empty()) m.api_key_env = f.api_key_env;
  }
  if (!f.mode.empty()) c.mode = f.mode;
  if (!f.system.empty()) c.system_prompt = f.system;
  if (!f.db.empty()) c.db_path = f.db;
  if (!f.user.empty()) c.user = f.user;
  if (f.max_steps) c.max_steps = *f.max_steps;
  if (f.max_tokens) c.budget_max_tokens = *f.max_tokens;
  if (f.max_cost_usd) c.budget_max_cost_usd = *f.max_cost_usd;
  if (f.deadline_s) c.budget_deadline_s = *f.deadline_s;
  if (f.rpm) c.limiter["rpm"] = *f.rpm;
  if (f.tpm) c.limiter["tpm"] = *f.tpm;
  if (!f.log_level.empty()) c.log_level = f.log_level;
  return c;
}

int ReportRuntimeError(const Config& config, const Status& status) {
  if (status.code() == StatusCode::kInvalidArgument) {
    std::fprintf(stderr, "reagent: %s: invalid configuration: %s\n", config.source.c_str(), status.message().c_str());
    return kExitUsage;
  }
  std::fprintf(stderr, "reagent: %s\n", status.ToString().c_str());
  return kExitFailure;
}

}  // namespace reagent::cli
