#include "reagent/core/message.h"

#include <cmath>

namespace reagent {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kSystem: return "system";
    case Role::kUser: return "user";
    case Role::kAssistant: return "assistant";
    case Role::kTool: return "tool";
  }
  return "user";
}

Result<Role> ParseRole(std::string_view name) {
  if (name == "system" || name == "developer") return Role::kSystem;
  if (name == "user") return Role::kUser;
  if (name == "assistant") return Role::kAssistant;
  if (name == "tool") return Role::kTool;
  return Status::InvalidArgument("unknown role \"" + std::string(name) +
                                 "\" (expected system, user, assistant or tool)");
}

Usage& Usage::operator+=(const Usage& other) {
  prompt_tokens += other.prompt_tokens;
  completion_tokens += other.completion_tokens;
  cached_tokens += other.cached_tokens;
  if (cost_usd && other.cost_usd) {
    *cost_usd += *other.cost_usd;
  } else {
    cost_usd.reset();
  }
  return *this;
}

void to_json(nlohmann::json& j, const ToolCall& c) {
  j = {{"id", c.id}, {"type", "function"}, {"function", {{"name", c.name}, {"arguments", c.arguments}}}};
}

void from_json(const nlohmann::json& j, ToolCall& c) {
  c.id = j.value("id", "");
  const auto& f = j.at("function");
  c.name = f.at("name").get<std::string>();
  const auto& args = f.value("arguments", nlohmann::json(""));
  c.arguments = args.is_string() ? args.get<std::string>() : args.dump();
}

void to_json(nlohmann::json& j, const Message& m) {
  j = {{"role", RoleName(m.role)}, {"content", m.content}};
  if (!m.tool_calls.empty()) {
    j["tool_calls"] = m.tool_calls;
    if (m.content.empty()) j["content"] = nullptr;
  }
  if (!m.tool_call_id.empty()) j["tool_call_id"] = m.tool_call_id;
  if (!m.name.empty()) j["name"] = m.name;
}

void from_json(const nlohmann::json& j, Message& m) {
  auto role = ParseRole(j.at("role").get<std::string>());
  if (!role.ok()) throw nlohmann::json::other_error::create(501, role.status().message(), &j);
  m.role = *role;
  const auto& content = j.contains("content") ? j.at("content") : nlohmann::json();
  if (content.is_string()) {
    m.content = content.get<std::string>();
  } else if (content.is_array()) {  // content parts: keep the text ones
    m.content.clear();
    for (const auto& part : content) {
      if (!part.is_object()) continue;
      const auto type = part.find("type");
      const auto text = part.find("text");
      if (type != part.end() && *type == "text" && text != part.end() && text->is_string()) {
        m.content += text->get<std::string>();
      }
    }
  } else {
    m.content.clear();
  }
  m.tool_calls = j.contains("tool_calls") && j.at("tool_calls").is_array()
                     ? j.at("tool_calls").get<std::vector<ToolCall>>()
                     : std::vector<ToolCall>{};
  m.tool_call_id = j.value("tool_call_id", "");
  m.name = j.contains("name") && j.at("name").is_string() ? j.at("name").get<std::string>() : "";
}

void to_json(nlohmann::json& j, const Usage& u) {
  j = {{"prompt_tokens", u.prompt_tokens}, {"completion_tokens", u.completion_tokens},
       {"total_tokens", u.total_tokens()}};
  if (u.cached_tokens) j["prompt_tokens_details"] = {{"cached_tokens", u.cached_tokens}};
  if (u.cost_usd) j["cost_usd"] = RoundedCost(*u.cost_usd);
}

double RoundedCost(double usd) {
  constexpr double kPerDollar = 1e12;
  // Beyond 2^53 picodollars ($9,007) the scaled value has no fraction left to drop.
  if (!std::isfinite(usd) || std::fabs(usd) >= 9e15 / kPerDollar) return usd;
  return std::round(usd * kPerDollar) / kPerDollar;
}

void from_json(const nlohmann::json& j, Usage& u) {
  u.prompt_tokens = j.value("prompt_tokens", int64_t{0});
  u.completion_tokens = j.value("completion_tokens", int64_t{0});
  u.cached_tokens = 0;
  if (auto it = j.find("prompt_tokens_details"); it != j.end() && it->is_object()) {
    u.cached_tokens = it->value("cached_tokens", int64_t{0});
  }
  if (auto it = j.find("cost_usd"); it != j.end() && it->is_number()) {
    u.cost_usd = it->get<double>();
  } else {
    u.cost_usd.reset();
  }
}

template <typename T>
static Result<T> Convert(const nlohmann::json& j, const char* what) {
  try {
    return j.get<T>();
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("invalid ") + what + ": " + e.what());
  }
}

Result<Message> MessageFromJson(const nlohmann::json& j) { return Convert<Message>(j, "message"); }
Result<Usage> UsageFromJson(const nlohmann::json& j) { return Convert<Usage>(j, "usage"); }

}  // namespace reagent
