// A scenario file of `reagent test` (format: README "Scenario files"): the agent's settings,
// the scripted replies of each model, scripted tools, and turns with expectations.
// ParseScenario validates the whole file up front, so a malformed scenario fails with every
// problem named by file and JSON path instead of misbehaving halfway through a run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/core/status.h"

namespace reagent {

struct ScenarioBudget {
  std::optional<int64_t> max_tokens;
  std::optional<double> max_cost_usd;
  std::optional<double> deadline_s;
};

struct ScenarioAgent {
  std::string mode = "react";  // "react" | "tools"
  std::optional<std::string> system;
  int max_steps = 10;
  ScenarioBudget budget;
  std::vector<std::string> models;  // fallback order
  Json retry = Json::object();      // overrides of the retry defaults (validated keys)
  Json breaker = Json::object();    // overrides of the breaker defaults (validated keys)
  std::vector<std::string> tools;   // built-in tools by name
  double request_timeout_s = 60;
  int64_t max_output_tokens = 1024;
  int64_t min_output_tokens = 32;
};

struct ScenarioTool {
  std::string name;
  std::string description;
  Json parameters = Json::object();
  Json returns = Json::array();  // strings, or {"error": "..."}
};

struct ScenarioExpect {
  std::optional<std::string> final_answer;
  std::optional<std::string> final_answer_contains;
  std::optional<std::string> stop_reason;
  std::optional<std::vector<std::string>> tool_calls;
  std::optional<int64_t> steps_at_most;
  std::optional<int64_t> retries;
  std::optional<int64_t> fallbacks;
  std::optional<std::string> model_used;
  std::vector<std::string> observations_contain;
  std::optional<double> cost_at_most_usd;
  std::optional<int64_t> tokens_at_most;
  std::optional<bool> blocked;
};

struct ScenarioTurn {
  std::string user;
  ScenarioExpect expect;
};

struct Scenario {
  std::string file;
  std::string name;
  ScenarioAgent agent;
  std::map<std::string, ScenarioTool> tools;
  std::map<std::string, Json> models;  // model name -> array of replies (validated)
  std::vector<ScenarioTurn> turns;
};

// The stop reasons an expectation may name.
const std::vector<std::string>& KnownStopReasons();

// Parses and validates; errors name `file` and the JSON path of each problem.
Result<Scenario> ParseScenario(const Json& json, const std::string& file);
Result<Scenario> LoadScenarioFile(const std::string& path);

}  // namespace reagent
