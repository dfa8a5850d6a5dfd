// ParseJson, the one entry point for JSON from outside: it never throws, refuses nesting past
// the limit and numbers out of range with a message naming the place, and what it accepts
// dumps and parses back to the same value.
#include "fuzz_check.h"
#include "reagent/core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  const std::string_view text = fuzz::AsText(data, size);
  auto parsed = ParseJson(text, "fuzz input");
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == StatusCode::kInvalidArgument ||
               parsed.status().code() == StatusCode::kResourceExhausted);
    FUZZ_CHECK(parsed.status().message().starts_with("fuzz input: "));
    return 0;
  }
  const std::string dumped = DumpJson(*parsed);
  auto again = ParseJson(dumped, "dump");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *parsed);
  return 0;
}
