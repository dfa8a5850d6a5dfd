#include "reagent/tokenizer/token_counter.h"

#include <array>

#include "reagent/core/json.h"
#include "reagent/tokenizer/script_estimator.h"

namespace reagent {
namespace {

// Tool-schema overheads measured in OpenAI's cookbook ("How to count tokens with tiktoken",
// tools section), per encoding family.
struct ToolOverheads {
  int64_t function_start;   // each function
  int64_t properties_start; // a function that has properties
  int64_t property;         // each property
  int64_t enum_start;       // a property with an enum (negative: the enum replaces text)
  int64_t enum_item;        // each enum value
  int64_t tools_end;        // once, when there are tools
};
constexpr ToolOverheads kO200kTools = {7, 3, 3, -3, 3, 12};
constexpr ToolOverheads kCl100kTools = {10, 3, 3, -3, 3, 12};
// Framing of one tool call inside an assistant message (name and arguments counted as text).
constexpr int64_t kTokensPerToolCall = 3;

struct ModelPrefix {
  std::string_view prefix;
  Encoding encoding;
};
// Matched against the bare model name: equal to the prefix, or the prefix followed by '-'.
// Longer prefixes first: "gpt-4o" must win over "gpt-4".
constexpr std::array<ModelPrefix, 17> kModelPrefixes = {{
    {"gpt-4o", Encoding::kO200kBase},
    {"gpt-4.1", Encoding::kO200kBase},
    {"gpt-4.5", Encoding::kO200kBase},
    {"gpt-5", Encoding::kO200kBase},
    {"chatgpt-4o", Encoding::kO200kBase},
    {"o1", Encoding::kO200kBase},
    {"o3", Encoding::kO200kBase},
    {"o4-mini", Encoding::kO200kBase},
    {"codex-mini", Encoding::kO200kBase},
    {"gpt-4", Encoding::kCl100kBase},
    {"gpt-3.5", Encoding::kCl100kBase},
    {"gpt-35", Encoding::kCl100kBase},
    {"text-embedding-3-small", Encoding::kCl100kBase},
    {"text-embedding-3-large", Encoding::kCl100kBase},
    {"text-embedding-ada-002", Encoding::kCl100kBase},
    {"davinci-002", Encoding::kCl100kBase},
    {"babbage-002", Encoding::kCl100kBase},
}};

std::string_view BareModelName(std::string_view model) {
  if (model.rfind("ft:", 0) == 0) {
    model.remove_prefix(3);
    model = model.substr(0, model.find(':'));
  }
  if (size_t slash = model.rfind('/'); slash != std::string_view::npos) model.remove_prefix(slash + 1);
  return model;
}

std::string JsonText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : DumpJson(value);
}

std::string WithoutFinalPeriod(std::string text) {
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

}  // namespace

std::optional<Encoding> EncodingForModel(std::string_view model) {
  std::string_view bare = BareModelName(model);
  for (const ModelPrefix& m : kModelPrefixes) {
    if (bare.rfind(m.prefix, 0) != 0) continue;
    if (bare.size() == m.prefix.size() || bare[m.prefix.size()] == '-') return m.encoding;
  }
  return std::nullopt;
}

TokenCounter TokenCounter::ForModel(std::string_view model) {
  std::optional<Encoding> encoding = EncodingForModel(model);
  return encoding ? ForEncoding(*encoding) : Estimating();
}

TokenCounter TokenCounter::ForEncoding(Encoding encoding) {
  auto tokenizer = Tokenizer::Get(encoding);
  // Only corrupt embedded data can fail here; estimating keeps budgets working.
  return TokenCounter(tokenizer.ok() ? *tokenizer : nullptr);
}

TokenCounter TokenCounter::Estimating() { return TokenCounter(nullptr); }

std::optional<Encoding> TokenCounter::encoding() const {
  if (tokenizer_ == nullptr) return std::nullopt;
  return tokenizer_->encoding();
}

int64_t TokenCounter::Count(std::string_view text) const {
  if (tokenizer_ != nullptr) return static_cast<int64_t>(tokenizer_->Count(text));
  return EstimateTokens(text);
}

int64_t TokenCounter::CountMessage(const Message& m) const {
  int64_t total = kTokensPerMessage + Count(RoleName(m.role)) + Count(m.content);
  if (!m.name.empty() && m.role != Role::kTool) total += kTokensPerName + Count(m.name);
  for (const ToolCall& call : m.tool_calls) {
    total += kTokensPerToolCall + Count(call.name) + Count(call.arguments);
  }
  return total;
}

int64_t TokenCounter::CountMessages(const std::vector<Message>& messages, const nlohmann::json& tools) const {
  int64_t total = 0;
  for (const Message& m : messages) total += CountMessage(m);
  total += kReplyPrimingTokens;
  if (!tools.is_null()) total += CountTools(tools);
  return total;
}

int64_t TokenCounter::CountTools(const nlohmann::json& tools) const {
  if (!tools.is_array()) return Count(DumpJson(tools));
  if (tools.empty()) return 0;
  const ToolOverheads& o = encoding() == Encoding::kCl100kBase ? kCl100kTools : kO200kTools;
  int64_t total = 0;
  for (const nlohmann::json& tool : tools) {
    const nlohmann::json* function = tool.is_object() && tool.contains("function") ? &tool["function"] : &tool;
    if (!function->is_object()) {
      total += Count(DumpJson(tool));
      continue;
    }
    total += o.function_start;
    std::string name = function->contains("name") ? JsonText((*function)["name"]) : "";
    std::string description = function->contains("description") ? JsonText((*function)["description"]) : "";
    total += Count(name + ":" + WithoutFinalPeriod(description));
    const nlohmann::json* properties = nullptr;
    if (function->contains("parameters") && (*function)["parameters"].is_object() &&
        (*function)["parameters"].contains("properties") && (*function)["parameters"]["properties"].is_object()) {
      properties = &(*function)["parameters"]["properties"];
    }
    if (properties == nullptr || properties->empty()) continue;
    total += o.properties_start;
    for (const auto& [key, schema] : properties->items()) {
      total += o.property;
      if (!schema.is_object()) {
        total += Count(key + ":" + DumpJson(schema));
        continue;
      }
      if (schema.contains("enum") && schema["enum"].is_array()) {
        total += o.enum_start;
        for (const nlohmann::json& item : schema["enum"]) total += o.enum_item + Count(JsonText(item));
      }
      std::string type = schema.contains("type") ? JsonText(schema["type"]) : "";
      std::string property_description =
          schema.contains("description") ? JsonText(schema["description"]) : "";
      total += Count(key + ":" + type + ":" + WithoutFinalPeriod(property_description));
      // Nested schemas (object properties, array items) are outside the cookbook's rules.
      for (const char* nested : {"properties", "items"}) {
        if (schema.contains(nested)) total += Count(DumpJson(schema[nested]));
      }
    }
  }
  return total + o.tools_end;
}

}  // namespace reagent
