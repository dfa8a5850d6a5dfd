// JSON from the network, parsed under core's policy (ParseJsonChecked: nesting depth, numbers
// that overflow a double, never an exception) and refused in the server's own words, which its
// 400 answers carry. The body size is bounded before this, by the transport.
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
