// JSON-schema checks: a parameter schema and a value (the input split at a NUL byte) go
// through CheckParameterSchema and SchemaErrors without a crash; a value that validates has
// no errors.
#include "fuzz_check.h"
#include "reagent/core/json.h"
#include "reagent/tools/json_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  const auto [schema_text, value_text] = fuzz::SplitAtNul(fuzz::AsText(data, size));
  auto schema = ParseJson(schema_text, "schema");
  auto value = ParseJson(value_text, "value");
  if (!schema.ok() || !value.ok()) return 0;
  if (!CheckParameterSchema(*schema).ok()) return 0;
  const auto errors = SchemaErrors(*schema, *value);
  FUZZ_CHECK(ValidateAgainstSchema(*schema, *value).ok() == errors.empty());
  return 0;
}
