// How `reagent scan` prints a ScanResult: one JSON object (the --jsonl contract) or an
// explanation for people.
#pragma once

#include <string>
#include <string_view>

#include "reagent/core/json.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent::cli {

// {"id","verdict","score","categories","findings":[{"rule","category","start","end","weight"}],
//  "cleaned"}; `id` is copied as given (null when absent).
Json ScanResultJson(const ScanResult& result, const Json& id);

// A multi-line report: verdict, score, each finding with the text it covers, cleaned text.
std::string ExplainScan(std::string_view text, const ScanResult& result);

}  // namespace reagent::cli
