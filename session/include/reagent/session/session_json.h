// JSON forms of the store's records, for `reagent sessions --json`, exports and embedding
// applications' admin endpoints. Times are ISO 8601 UTC strings ("2025-01-01T00:00:00Z");
// usage objects follow core's Usage JSON (cost_usd absent when unknown).
#pragma once

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"
#include "reagent/session/session_store.h"

namespace reagent {

// "2025-01-01T00:00:00Z" (whole seconds, UTC).
std::string FormatUtc(WallTime t);

nlohmann::json SessionInfoJson(const SessionInfo& info);
nlohmann::json StepInfoJson(const StepInfo& step);
nlohmann::json UsageTotalJson(const UsageTotal& total);

// {"session": info, "messages": [OpenAI message objects], "steps": [each step with its
// usage, model and the index range of its messages]}. Errors as Load.
Result<nlohmann::json> ExportSession(SessionStore& store, std::string_view session_id);

}  // namespace reagent
