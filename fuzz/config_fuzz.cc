// Config files: any JSON is a configuration or errors naming the keys, never a crash; a
// configuration that parses prints as its effective JSON.
#include "fuzz_check.h"
#include "reagent/core/json.h"
#include "reagent/runtime/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  auto json = ParseJson(fuzz::AsText(data, size), "fuzz.json");
  if (!json.ok()) return 0;
  auto config = ParseConfig(*json, "fuzz.json");
  if (!config.ok()) {
    FUZZ_CHECK(config.status().code() == StatusCode::kInvalidArgument);
    return 0;
  }
  for (const ModelConfig& m : config->models) {
    for (const auto& [name, value] : m.headers) {
      FUZZ_CHECK(value.find_first_of("\r\n") == std::string::npos);
      FUZZ_CHECK(!name.empty());
    }
  }
  FUZZ_CHECK(!DumpJson(EffectiveConfigJson(*config)).empty());
  return 0;
}
