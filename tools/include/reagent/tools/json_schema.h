// Argument validation against the JSON-schema subset that models are given and produce:
//   type (a name or a list of names: object, array, string, number, integer, boolean, null),
//   properties, required, additionalProperties (false or a schema), enum, const,
//   minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, maxLength (in characters),
//   items, minItems, maxItems, nested to any depth.
// Other keywords (description, title, default, examples, format, ...) are accepted and ignored.
// Errors name the path and the expectation, in words a model can act on:
//   "arguments.q: expected string, got number"
//   "arguments: missing required property \"q\""
//   "arguments.tags[2]: expected at most 20 characters, got 31"
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"

namespace reagent {

// Every mismatch found (at most max_errors), each as "path: what was expected, what was got".
// An empty vector means value conforms.
std::vector<std::string> SchemaErrors(const nlohmann::json& schema, const nlohmann::json& value,
                                      std::string_view root = "arguments", std::size_t max_errors = 8);

// The same as a Status: OK, or InvalidArgument whose message joins the errors with "; ".
Status ValidateAgainstSchema(const nlohmann::json& schema, const nlohmann::json& value,
                             std::string_view root = "arguments");

// Checks that a tool's parameter schema is usable: an object schema whose keywords in the
// supported subset have the right types ("parameters.properties.q.type: unknown type \"str\"").
Status CheckParameterSchema(const nlohmann::json& schema, std::string_view root = "parameters");

}  // namespace reagent
