// Checks what one turn of a scenario did against what its "expect" block says.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reagent/testing/scenario.h"

namespace reagent {

// What a turn did, in the terms scenario expectations use.
struct TurnOutcome {
  std::string final_answer;
  std::string stop_reason;
  std::vector<std::string> tool_calls;    // executed calls, in order
  int64_t steps = 0;                      // reason/act steps (the closing call is not one)
  int64_t retries = 0;
  int64_t fallbacks = 0;
  std::string model_used;
  std::vector<std::string> observations;  // raw, before spotlighting
  std::optional<double> cost_usd;         // nullopt: some model was unpriced
  int64_t tokens = 0;
  bool blocked = false;
};

// One message per unmet expectation ("stop_reason: expected final_answer, got max_steps").
std::vector<std::string> CheckExpectations(const ScenarioExpect& expect, const TurnOutcome& got);

}  // namespace reagent
