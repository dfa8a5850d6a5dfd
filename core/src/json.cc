#include "reagent/core/json.h"

#include <exception>
#include <new>

#include "reagent/core/bounded_read.h"

namespace reagent {
namespace {

// The byte offset of the bracket that opens nesting level max_depth + 1, or npos. Brackets
// inside strings do not count; the text need not be valid JSON (the parser judges that).
size_t FindTooDeep(std::string_view text, int max_depth) {
  int depth = 0;
  size_t i = 0;
  while (i < text.size()) {
    i = text.find_first_of("\"[]{}", i);
    if (i == std::string_view::npos) return std::string_view::npos;
    switch (text[i]) {
      case '"': {
        // Skip the string: up to the next quote not escaped by a backslash.
        size_t j = i + 1;
        while (true) {
          j = text.find_first_of("\"\\", j);
          if (j == std::string_view::npos) return std::string_view::npos;
          if (text[j] == '"') break;
          j += 2;  // the backslash and the character it escapes
        }
        i = j;
        break;
      }
      case '[':
      case '{':
        if (++depth > max_depth) return i;
        break;
      default:
        --depth;
        break;
    }
    ++i;
  }
  return std::string_view::npos;
}

// nlohmann's messages start with "[json.exception.parse_error.101] "; keep the rest.
std::string WithoutPrefix(const char* what) {
  std::string text = what;
  if (auto pos = text.find("] "); pos != std::string::npos) text = text.substr(pos + 2);
  return text;
}

Unexpected<JsonRefusal> Refuse(JsonRefusal::Kind kind, size_t byte, std::string reason = {}) {
  return MakeUnexpected(JsonRefusal{.kind = kind, .byte = byte, .reason = std::move(reason)});
}

// "number overflow parsing '1e400'" names the number but not its place; find it.
Unexpected<JsonRefusal> NumberOutOfRange(std::string_view text, std::string reason) {
  std::string number;
  if (auto open = reason.find('\''); open != std::string::npos) {
    if (auto close = reason.find('\'', open + 1); close != std::string::npos) {
      number = reason.substr(open + 1, close - open - 1);
    }
  }
  const size_t at = number.empty() ? std::string_view::npos : text.find(number);
  return MakeUnexpected(JsonRefusal{.kind = JsonRefusal::Kind::kNumberOutOfRange,
                                    .byte = at == std::string_view::npos ? 0 : at,
                                    .reason = std::move(reason),
                                    .number = std::move(number)});
}

}  // namespace

Expected<Json, JsonRefusal> ParseJsonChecked(std::string_view text, const JsonLimits& limits) {
  using Kind = JsonRefusal::Kind;
  if (const size_t deep = FindTooDeep(text, limits.max_depth); deep != std::string_view::npos) {
    return Refuse(Kind::kTooDeep, deep);
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return Refuse(Kind::kSyntax, e.byte, WithoutPrefix(e.what()));
  } catch (const Json::out_of_range& e) {
    return NumberOutOfRange(text, WithoutPrefix(e.what()));
  } catch (const Json::exception& e) {
    return Refuse(Kind::kSyntax, 0, WithoutPrefix(e.what()));
  } catch (const std::bad_alloc&) {
    return Refuse(Kind::kOutOfMemory, 0);
  } catch (const std::exception& e) {
    return Refuse(Kind::kSyntax, 0, e.what());
  }
}

Result<Json> ParseJson(std::string_view text, std::string_view where, const JsonLimits& limits) {
  auto parsed = ParseJsonChecked(text, limits);
  if (parsed.ok()) return std::move(parsed).value();
  const JsonRefusal& refusal = parsed.error();
  auto invalid = [&](const std::string& what) {
    return Status::InvalidArgument(std::string(where) + ": invalid JSON at byte " +
                                   std::to_string(refusal.byte) + ": " + what);
  };
  switch (refusal.kind) {
    case JsonRefusal::Kind::kTooDeep:
      return invalid("nesting deeper than " + std::to_string(limits.max_depth) + " levels");
    case JsonRefusal::Kind::kNumberOutOfRange:
      return invalid("number out of range" + (refusal.number.empty() ? "" : " (" + refusal.number + ")") +
                     ": beyond what a double can hold");
    case JsonRefusal::Kind::kOutOfMemory:
      return Status::ResourceExhausted(std::string(where) + ": out of memory parsing " +
                                       std::to_string(text.size()) + " bytes of JSON");
    case JsonRefusal::Kind::kSyntax:
      break;
  }
  return invalid(refusal.reason);
}

Result<Json> ParseJsonLine(const LineReader::Line& line, const JsonLimits& limits) {
  const std::string where = "line " + std::to_string(line.number);
  if (line.too_long) {
    return Status::InvalidArgument(where + ": longer than " + DescribeBytes(kMaxJsonLineBytes) +
                                   ", the limit for one JSON line");
  }
  return ParseJson(line.text, where, limits);
}

Result<Json> ReadJsonFile(const std::string& path) {
  REAGENT_ASSIGN_OR_RETURN(std::string text, ReadFileBounded(path, kMaxJsonFileBytes));
  return ParseJson(text, path);
}

std::string DumpJson(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string_view JsonTypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    case Json::value_t::binary: return "binary";
    case Json::value_t::discarded: return "discarded";
  }
  return "unknown";
}

}  // namespace reagent
