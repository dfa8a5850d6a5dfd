#include "untrusted_json.h"

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

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ...":
// the part after the bracketed id is what a person needs.
std::string Reason(std::string_view what) {
  if (const size_t close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string_view::npos) {
    what.remove_prefix(close + 2);
  }
  return std::string(what);
}

}  // namespace

Result<Json> ParseUntrustedJson(std::string_view text, std::string_view where, int max_depth) {
  REAGENT_RETURN_IF_ERROR(CheckDepth(text, where, max_depth));
  Json json;
  try {
    json = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return Status::InvalidArgument(fmt::format("{}: invalid JSON at byte {}: {}", where, e.byte, Reason(e.what())));
  } catch (const Json::out_of_range& e) {  // a number too large for a double
    return Status::InvalidArgument(fmt::format("{}: number out of range ({})", where, Reason(e.what())));
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(fmt::format("{}: {}", where, Reason(e.what())));
  }
  return json;
}

}  // namespace reagent::server
