#include "reagent/tools/action_input.h"

#include "reagent/core/json.h"

namespace reagent {
namespace {

using Json = nlohmann::json;

bool IsStringSchema(const Json& s) { return s.is_object() && s.value("type", Json()) == "string"; }

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// ```json\n{...}\n``` → {...}; text without a fence is returned unchanged.
std::string_view StripFence(std::string_view s) {
  if (s.size() < 6 || s.substr(0, 3) != "```" || s.substr(s.size() - 3) != "```") return s;
  s = s.substr(3, s.size() - 6);
  if (auto nl = s.find('\n'); nl != std::string_view::npos && Trim(s.substr(0, nl)).find(' ') == std::string_view::npos &&
                              s.substr(0, nl).find('{') == std::string_view::npos) {
    s = s.substr(nl + 1);  // drop the language tag line ("json")
  }
  return Trim(s);
}

std::string PropertyList(const Json& schema) {
  std::string names;
  if (auto p = schema.find("properties"); p != schema.end() && p->is_object())
    for (auto it = p->begin(); it != p->end(); ++it) names += (names.empty() ? "" : ", ") + it.key();
  return "[" + names + "]";
}

}  // namespace

std::optional<std::string> SingleStringParameter(const Json& schema) {
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object() || props->empty()) return std::nullopt;
  if (props->size() == 1) {
    if (IsStringSchema(props->begin().value())) return props->begin().key();
    return std::nullopt;
  }
  auto req = schema.find("required");
  if (req == schema.end() || !req->is_array() || req->size() != 1 || !(*req)[0].is_string()) return std::nullopt;
  const auto& name = (*req)[0].get_ref<const std::string&>();
  if (auto p = props->find(name); p != props->end() && IsStringSchema(*p)) return name;
  return std::nullopt;
}

Result<Json> ParseToolArguments(std::string_view raw, const Json& schema) {
  const std::string_view text = StripFence(Trim(raw));
  if (text.empty()) return Json::object();
  const std::optional<std::string> single = SingleStringParameter(schema);

  // Plain text for a single-string tool needs no parse attempt (a failed parse costs a throw).
  if (single && text.front() != '{' && text.front() != '"') return Json{{*single, std::string(text)}};
  Result<Json> parsed = ParseJson(text, "Action Input");
  if (parsed.ok() && parsed->is_object()) return std::move(parsed).value();
  if (single) {
    if (parsed.ok() && parsed->is_string()) return Json{{*single, std::move(parsed).value()}};
    return Json{{*single, std::string(text)}};
  }
  if (!parsed.ok()) {
    return Status::InvalidArgument("Action Input is not a JSON object (" + parsed.status().message() +
                                   "); expected a JSON object with properties " + PropertyList(schema));
  }
  return Status::InvalidArgument("Action Input: expected a JSON object with properties " + PropertyList(schema) +
                                 ", got " + std::string(JsonTypeName(*parsed)));
}

}  // namespace reagent
