#include "jsonrpc.h"

#include <cctype>

#include "reagent/core/json.h"
#include "reagent/tools/output_text.h"

namespace reagent::mcp_internal {
namespace {

// A string id longer than this is not a real request id of reagent's (they are integers);
// the bound keeps the scan cheap.
constexpr std::size_t kMaxRecoveredStringId = 64;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Parses the id value starting at text[i] (an integer or a short string without escapes);
// sets *end past it.
std::optional<nlohmann::json> IdValueAt(std::string_view text, std::size_t i, std::size_t* end) {
  while (i < text.size() && IsSpace(text[i])) ++i;
  if (i >= text.size()) return std::nullopt;
  if (text[i] == '"') {
    const std::size_t close = text.find('"', i + 1);
    if (close == std::string_view::npos || close - i - 1 > kMaxRecoveredStringId) return std::nullopt;
    std::string_view s = text.substr(i + 1, close - i - 1);
    if (s.find('\\') != std::string_view::npos) return std::nullopt;
    *end = close + 1;
    return nlohmann::json(std::string(s));
  }
  std::size_t j = i;
  if (j < text.size() && text[j] == '-') ++j;
  const std::size_t digits_at = j;
  while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j]))) ++j;
  if (j == digits_at || j - digits_at > 18) return std::nullopt;
  *end = j;
  return nlohmann::json(std::stoll(std::string(text.substr(i, j - i))));
}

}  // namespace

int NestingDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return limit + 1;
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

Result<nlohmann::json> ParseMessage(std::string_view text, int max_depth) {
  if (NestingDepth(text, max_depth) > max_depth)
    return Status::InvalidArgument("message nests deeper than " + std::to_string(max_depth) + " levels");
  Result<nlohmann::json> parsed = ParseJson(text, "message");
  if (!parsed.ok()) return parsed.status();
  if (!parsed->is_object() && !parsed->is_array())
    return Status::InvalidArgument("message is a JSON " + std::string(JsonTypeName(*parsed)) + ", not an object");
  return parsed;
}

std::optional<nlohmann::json> RecoverId(std::string_view head, std::string_view tail) {
  // Head: {"jsonrpc":"2.0","id":<v> or {"id":<v>
  if (std::size_t at = head.find("\"id\""); at != std::string_view::npos && at < 32) {
    std::size_t i = at + 4;
    while (i < head.size() && IsSpace(head[i])) ++i;
    if (i < head.size() && head[i] == ':') {
      std::size_t end = 0;
      if (auto id = IdValueAt(head, i + 1, &end)) return id;
    }
  }
  // Tail: ...,"id":<v>} with only whitespace after the closing brace.
  std::size_t close = tail.find_last_not_of(" \t\r\n");
  if (close == std::string_view::npos || tail[close] != '}') return std::nullopt;
  const std::size_t at = tail.rfind("\"id\"");
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t i = at + 4;
  while (i < tail.size() && IsSpace(tail[i])) ++i;
  if (i >= tail.size() || tail[i] != ':') return std::nullopt;
  std::size_t end = 0;
  auto id = IdValueAt(tail, i + 1, &end);
  if (!id) return std::nullopt;
  while (end < close && IsSpace(tail[end])) ++end;
  if (end != close) return std::nullopt;
  // The key must be a member of the top-level object: preceded by ',' (or '{').
  std::size_t before = at;
  while (before > 0 && IsSpace(tail[before - 1])) --before;
  if (before == 0 || (tail[before - 1] != ',' && tail[before - 1] != '{')) return std::nullopt;
  return id;
}

MessageKind Classify(const nlohmann::json& m) {
  if (!m.is_object()) return MessageKind::kInvalid;
  const auto method = m.find("method");
  const auto id = m.find("id");
  const bool has_id = id != m.end() && (id->is_number_integer() || id->is_string());
  if (method != m.end()) {
    if (!method->is_string()) return MessageKind::kInvalid;
    return has_id ? MessageKind::kRequest : MessageKind::kNotification;
  }
  if (id != m.end() && (m.contains("result") || m.contains("error"))) return MessageKind::kResponse;
  return MessageKind::kInvalid;
}

nlohmann::json ErrorResponse(const nlohmann::json& id, int code, std::string message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", std::move(message)}}}};
}

std::string ShowableText(std::string_view text, std::size_t max_bytes) {
  const bool cut = text.size() > max_bytes;
  std::string s = MakeValidUtf8(text.substr(0, Utf8PrefixLength(text, max_bytes)));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') c = ' ';
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (cut) s += "…";
  return s;
}

}  // namespace reagent::mcp_internal
