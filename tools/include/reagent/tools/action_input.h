// Turning the argument text a model wrote into the JSON object a tool validates.
// In native tool-call mode the text is a JSON object. In ReAct text mode it is whatever
// followed "Action Input:", and models write it loosely: a JSON object, a JSON object inside a
// ```json fence, or — for a tool whose only parameter is a string (calculator, search) — just
// the string: `Action Input: 17*23`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"

namespace reagent {

// The name of the one string parameter a plain-text Action Input maps to: the only property
// when the schema has exactly one and it is a string, else the only required property when
// that is a string. nullopt otherwise.
std::optional<std::string> SingleStringParameter(const nlohmann::json& schema);

// Parses raw argument text for a tool with the given parameter schema:
//   - surrounding whitespace and a ``` / ```json fence are removed;
//   - empty text is the empty object (validation then reports what is missing);
//   - a JSON object is used as is;
//   - for single-string-parameter tools, anything else becomes {"<param>": text} (a quoted
//     JSON string is unquoted first);
//   - otherwise InvalidArgument says what was expected ("Action Input: expected a JSON object
//     with properties [q, limit], got number").
// Thread-safe (pure).
Result<nlohmann::json> ParseToolArguments(std::string_view raw, const nlohmann::json& schema);

}  // namespace reagent
