// Scenario files (`reagent test`): any text is a scenario or an error naming the file, never
// a crash.
#include "fuzz_check.h"
#include "reagent/core/json.h"
#include "reagent/testing/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  auto json = ParseJson(fuzz::AsText(data, size), "fuzz.json");
  if (!json.ok()) return 0;
  auto scenario = ParseScenario(*json, "fuzz.json");
  if (!scenario.ok()) FUZZ_CHECK(scenario.status().message().find("fuzz.json") != std::string::npos);
  return 0;
}
