// Short, user-facing descriptions of a failure, shared by the resilience decorators' events
// and error messages ("rate_limited (429)", "circuit open, retry in 42.0 s").
#pragma once

#include <cstdio>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/llm/model_error.h"

namespace reagent::internal {

// "rate_limited (429)" or "timeout".
inline std::string ShortReason(const ModelError& error) {
  std::string out(ModelErrorKindName(error.kind));
  if (error.http_status) out += " (" + std::to_string(error.http_status) + ")";
  return out;
}

// "1.5 s" with one decimal: what events and messages show.
inline std::string FormatSeconds(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", ToSeconds(d));
  return buf;
}

}  // namespace reagent::internal
