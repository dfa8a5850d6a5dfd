// Non-throwing JSON entry points. nlohmann throws on malformed input; these wrap it so that
// data from outside becomes a Status that says what was wrong and where.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"

namespace reagent {

using Json = nlohmann::json;

// Parses text; on failure the message names `where` (a file, "line 12", "response body")
// and the byte offset of the error.
Result<Json> ParseJson(std::string_view text, std::string_view where = "input");

// Reads and parses a whole file; errors name the path.
Result<Json> ReadJsonFile(const std::string& path);

// Dumps without throwing on invalid UTF-8 in strings (replaced by U+FFFD).
std::string DumpJson(const Json& j, int indent = -1);

// A short description of a JSON value's type for error messages: "string", "number", ...
std::string_view JsonTypeName(const Json& j);

}  // namespace reagent
