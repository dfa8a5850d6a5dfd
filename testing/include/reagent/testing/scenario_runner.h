// Runs a scenario: the real agent (real sanitizer, budget, retry/breaker/fallback, tools, a
// real SQLite session in a temporary directory) against scripted models and tools, on a
// simulated clock, and checks each turn's expectations.
#pragma once

#include <string>
#include <vector>

#include "reagent/testing/scenario.h"

namespace reagent {

struct ScenarioRun {
  bool passed = false;
  std::string failure;           // "turn 2: stop_reason: expected ..., got ..." (all of them)
  double simulated_seconds = 0;  // time the simulated clock advanced
};

ScenarioRun RunScenario(const Scenario& scenario);

}  // namespace reagent
