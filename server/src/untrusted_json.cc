#include "untrusted_json.h"

#include <fmt/format.h>

namespace reagent::server {

Result<Json> ParseUntrustedJson(std::string_view text, std::string_view where, int max_depth) {
  auto parsed = ParseJsonChecked(text, {.max_depth = max_depth});
  if (parsed.ok()) return std::move(parsed).value();
  const JsonRefusal& refusal = parsed.error();
  switch (refusal.kind) {
    case JsonRefusal::Kind::kTooDeep:
      return Status::InvalidArgument(
          fmt::format("{}: nesting deeper than {} levels at byte {}", where, max_depth, refusal.byte));
    case JsonRefusal::Kind::kNumberOutOfRange:
      return Status::InvalidArgument(fmt::format("{}: number out of range ({})", where, refusal.reason));
    case JsonRefusal::Kind::kOutOfMemory:
      return Status::InvalidArgument(fmt::format("{}: too large to parse ({} bytes of JSON)", where, text.size()));
    case JsonRefusal::Kind::kSyntax:
      break;
  }
  return Status::InvalidArgument(fmt::format("{}: invalid JSON at byte {}: {}", where, refusal.byte, refusal.reason));
}

}  // namespace reagent::server
