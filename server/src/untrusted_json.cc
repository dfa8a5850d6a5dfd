#include "untrusted_json.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace reagent::server {
namespace {

// Depth of [ and { outside strings; stops at the first byte past the limit.
Status CheckDepth(std::string_view text, std::string_view where, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument(
            fmt::format("{}: nesting deeper than {} levels at byte {}", where, max_depth, i));
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::Ok();
}

Status CheckNumbers(const Json& j, const std::string& path, std::string_view where) {
  if (j.is_number_float() && !std::isfinite(j.get<double>())) {
    return Status::InvalidArgument(fmt::format("{}: {}: number out of range", where, path.empty() ? "$" : path));
  }
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      REAGENT_RETURN_IF_ERROR(CheckNumbers(*it, path.empty() ? it.key() : path + "." + it.key(), where));
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      REAGENT_RETURN_IF_ERROR(CheckNumbers(j[i], fmt::format("{}[{}]", path, i), where));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Json> ParseUntrustedJson(std::string_view text, std::string_view where, int max_depth) {
  REAGENT_RETURN_IF_ERROR(CheckDepth(text, where, max_depth));
  REAGENT_ASSIGN_OR_RETURN(Json json, ParseJson(text, where));
  REAGENT_RETURN_IF_ERROR(CheckNumbers(json, "", where));
  return json;
}

}  // namespace reagent::server
