// The calculator's expression evaluator: any text gives a number or an error, never a crash
// or a hang, and a number it returns can be formatted.
#include "fuzz_check.h"
#include "reagent/tools/calculator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  auto value = EvaluateExpression(fuzz::AsText(data, size));
  if (!value.ok()) {
    FUZZ_CHECK(!value.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(!FormatCalculatorNumber(*value).empty());
  return 0;
}
