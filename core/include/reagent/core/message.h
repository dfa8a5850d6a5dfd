// The conversation's unit: a chat message in OpenAI's shape, plus the token usage a model
// call reports. JSON conversions (nlohmann) match the OpenAI wire format, so a Message
// round-trips through a request body, a session row and a scenario file unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"

namespace reagent {

enum class Role { kSystem, kUser, kAssistant, kTool };

std::string_view RoleName(Role role);                 // "system", "user", ...
Result<Role> ParseRole(std::string_view name);

// A tool call requested by the model (native tool-call mode, or parsed from ReAct text).
struct ToolCall {
  std::string id;         // provider's id ("call_abc"); generated for ReAct calls
  std::string name;
  std::string arguments;  // JSON text exactly as the model produced it (may be invalid)

  friend bool operator==(const ToolCall&, const ToolCall&) = default;
};

struct Message {
  Role role = Role::kUser;
  std::string content;
  std::vector<ToolCall> tool_calls;  // assistant messages only
  std::string tool_call_id;          // tool messages only: the call this answers
  std::string name;                  // optional: tool name (tool messages) or participant name

  static Message System(std::string text) { return {Role::kSystem, std::move(text), {}, {}, {}}; }
  static Message User(std::string text) { return {Role::kUser, std::move(text), {}, {}, {}}; }
  static Message Assistant(std::string text, std::vector<ToolCall> calls = {}) {
    return {Role::kAssistant, std::move(text), std::move(calls), {}, {}};
  }
  static Message Tool(std::string call_id, std::string tool_name, std::string text) {
    return {Role::kTool, std::move(text), {}, std::move(call_id), std::move(tool_name)};
  }

  friend bool operator==(const Message&, const Message&) = default;
};

// Tokens a model call consumed, as the provider reports them, and what they cost.
struct Usage {
  int64_t prompt_tokens = 0;
  int64_t completion_tokens = 0;
  int64_t cached_tokens = 0;            // part of prompt_tokens served from the provider's cache
  std::optional<double> cost_usd;       // nullopt: the model is unpriced (not "free")

  int64_t total_tokens() const { return prompt_tokens + completion_tokens; }
  // Sums tokens; the cost stays known only while both sides are known.
  Usage& operator+=(const Usage& other);

  friend bool operator==(const Usage&, const Usage&) = default;
};

// A cost as shown to people and written to JSON: rounded to a picodollar (1e-12 USD), far
// below any price's precision, so a sum of prices × token counts does not print as
// 0.00034720000000000004.
double RoundedCost(double usd);

void to_json(nlohmann::json& j, const ToolCall& c);
void from_json(const nlohmann::json& j, ToolCall& c);
void to_json(nlohmann::json& j, const Message& m);
void from_json(const nlohmann::json& j, Message& m);
void to_json(nlohmann::json& j, const Usage& u);
void from_json(const nlohmann::json& j, Usage& u);

// Non-throwing conversions for data from outside (files, HTTP bodies, stored rows).
Result<Message> MessageFromJson(const nlohmann::json& j);
Result<Usage> UsageFromJson(const nlohmann::json& j);

}  // namespace reagent
