// JSON from the network, parsed under limits: nesting depth (a deep document would exhaust
// the stack when it is destroyed), numbers that overflow a double, and a clear message naming
// where the text went wrong — never an exception. The body size is bounded before this, by
// the transport.
#pragma once

#include <string_view>

#include "reagent/core/json.h"
#include "reagent/core/status.h"

namespace reagent::server {

inline constexpr int kMaxJsonDepth = 64;

// InvalidArgument naming the problem and where: "request body: nesting deeper than 64 levels
// at byte 130", "request body: invalid JSON at byte 17: ...", "request body: number out of
// range (number overflow parsing '1e999')".
Result<Json> ParseUntrustedJson(std::string_view text, std::string_view where, int max_depth = kMaxJsonDepth);

}  // namespace reagent::server
