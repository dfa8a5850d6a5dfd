// Action Input text to tool arguments, for a single-string tool and a structured one: no
// crash, an object whenever it succeeds, and schema validation of the result never crashes.
#include "fuzz_check.h"
#include "reagent/core/json.h"
#include "reagent/tools/action_input.h"
#include "reagent/tools/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  static const Json kSchemas[] = {
      *ParseJson(R"({"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]})"),
      *ParseJson(R"({"type":"object","properties":{"q":{"type":"string","maxLength":50},
        "limit":{"type":"integer","minimum":1,"maximum":10},"tags":{"type":"array","items":{"type":"string"}},
        "filter":{"type":"object","properties":{"lang":{"enum":["en","vi"]}},"additionalProperties":false}},
        "required":["q"]})"),
  };
  const std::string_view text = fuzz::AsText(data, size);
  for (const Json& schema : kSchemas) {
    auto args = ParseToolArguments(text, schema);
    if (!args.ok()) continue;
    FUZZ_CHECK(args->is_object());
    (void)SchemaErrors(schema, *args);
  }
  return 0;
}
