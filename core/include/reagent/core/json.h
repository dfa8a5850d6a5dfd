// The JSON policy for everything that comes from outside the process: model replies, SSE
// chunks, tool-call arguments, ReAct Action Input, config and scenario files, JSON lines on
// stdin. One entry point, ParseJson, never throws and bounds what recursion over the result
// may cost:
//  - nesting deeper than JsonLimits::max_depth is refused before parsing (code that walks a
//    value recursively — dumping, schema checks, the sanitizer — then never overflows the
//    stack on 100,000 nested brackets);
//  - a number outside a double's range ("1e400") is a parse error naming the place, not an
//    escaping nlohmann::out_of_range;
//  - malformed text is a parse error naming `where` and the byte offset.
// No code outside core calls nlohmann's parse on outside text directly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/bounded_read.h"
#include "reagent/core/expected.h"
#include "reagent/core/line_reader.h"
#include "reagent/core/status.h"

namespace reagent {

using Json = nlohmann::json;

struct JsonLimits {
  // Deepest nesting of arrays and objects accepted. Chat bodies, tool arguments and configs
  // stay far below it; deeper values are refused so that recursive walks stay bounded.
  int max_depth = 64;
};

// Parses text; on failure (InvalidArgument) the message names `where` (a file, "line 12",
// "response body") and the byte offset of the problem: a syntax error, nesting deeper than
// limits.max_depth, or a number out of range.
Result<Json> ParseJson(std::string_view text, std::string_view where = "input",
                       const JsonLimits& limits = {});

// Why the policy refused a text, before it is worded: for callers whose error messages have a
// shape of their own (the HTTP server's 400 answers). ParseJson words the same refusals.
struct JsonRefusal {
  enum class Kind {
    kSyntax,            // malformed text (or any other parser complaint)
    kTooDeep,           // nesting deeper than JsonLimits::max_depth
    kNumberOutOfRange,  // a number beyond what a double can hold
    kOutOfMemory,
  };
  Kind kind = Kind::kSyntax;
  size_t byte = 0;      // offset of the problem (the bracket too deep, the number, the syntax error)
  std::string reason;   // the parser's words, without nlohmann's "[json.exception…] " prefix
                        // ("number overflow parsing '1e400'"); empty for kTooDeep, kOutOfMemory
  std::string number;   // kNumberOutOfRange: the number as written, when the parser named it
};

// The same policy as ParseJson, its refusals unworded.
Expected<Json, JsonRefusal> ParseJsonChecked(std::string_view text, const JsonLimits& limits = {});

// One line of JSON lines input, as a LineReader read it: "line N: …" errors, a too-long line
// naming kMaxJsonLineBytes.
Result<Json> ParseJsonLine(const LineReader::Line& line, const JsonLimits& limits = {});

// The largest JSON file ReadJsonFile reads (configs, scenarios, rule files, price tables,
// mock scripts are kilobytes; this only stops a wrong path from filling memory).
inline constexpr size_t kMaxJsonFileBytes = size_t{64} << 20;

// Reads and parses a whole regular file of at most kMaxJsonFileBytes; errors name the path
// (NotFound when it cannot be opened, InvalidArgument for a directory, device or FIFO, or an
// oversized file).
Result<Json> ReadJsonFile(const std::string& path);

// Dumps without throwing on invalid UTF-8 in strings (replaced by U+FFFD).
std::string DumpJson(const Json& j, int indent = -1);

// A short description of a JSON value's type for error messages: "string", "number", ...
std::string_view JsonTypeName(const Json& j);

}  // namespace reagent
