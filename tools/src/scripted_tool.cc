#include "reagent/tools/scripted_tool.h"

#include "reagent/core/json.h"
#include "reagent/tools/json_schema.h"

namespace reagent {

ScriptedTool::ScriptedTool(ToolDefinition definition, std::vector<nlohmann::json> returns)
    : Tool(std::move(definition)), returns_(std::move(returns)) {}

Result<std::shared_ptr<ScriptedTool>> ScriptedTool::FromJson(const std::string& name, const nlohmann::json& spec,
                                                             const std::string& where) {
  const std::string path = where + "." + name;
  if (!spec.is_object()) return Status::InvalidArgument(path + ": expected an object, got " + std::string(JsonTypeName(spec)));
  ToolDefinition def{.name = name};
  // Scripted outputs are instant; a timeout would only add a thread hop.
  def.limits.timeout = Duration::zero();
  for (auto it = spec.begin(); it != spec.end(); ++it) {
    const std::string& key = it.key();
    if (key == "description") {
      if (!it->is_string()) return Status::InvalidArgument(path + ".description: expected a string");
      def.description = it->get<std::string>();
    } else if (key == "parameters") {
      REAGENT_RETURN_IF_ERROR(CheckParameterSchema(*it, path + ".parameters"));
      def.parameters = *it;
    } else if (key != "returns") {
      return Status::InvalidArgument(path + "." + key + ": unknown key (expected description, parameters, returns)");
    }
  }
  auto returns = spec.find("returns");
  if (returns == spec.end()) return Status::InvalidArgument(path + ": missing \"returns\"");
  if (!returns->is_array()) return Status::InvalidArgument(path + ".returns: expected an array");
  for (std::size_t i = 0; i < returns->size(); ++i) {
    const auto& r = (*returns)[i];
    if (r.is_object() && r.contains("error") && !r["error"].is_string())
      return Status::InvalidArgument(path + ".returns[" + std::to_string(i) + "].error: expected a string");
  }
  return std::make_shared<ScriptedTool>(std::move(def), returns->get<std::vector<nlohmann::json>>());
}

int ScriptedTool::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

std::size_t ScriptedTool::remaining() const {
  std::lock_guard lock(mu_);
  return returns_.size() - next_;
}

std::vector<nlohmann::json> ScriptedTool::arguments_seen() const {
  std::lock_guard lock(mu_);
  return seen_;
}

ToolResult ScriptedTool::Run(const nlohmann::json& arguments, const ToolContext&) {
  nlohmann::json entry;
  {
    std::lock_guard lock(mu_);
    ++calls_;
    seen_.push_back(arguments);
    if (next_ >= returns_.size()) {
      return ToolResult::Error(tool_error::kScriptExhausted, "script exhausted for tool " + name() + " after " +
                                                                 std::to_string(returns_.size()) + " calls");
    }
    entry = returns_[next_++];
  }
  if (entry.is_string()) return ToolResult::Text(entry.get<std::string>());
  if (entry.is_object() && entry.contains("error")) {
    std::string message = entry["error"].get<std::string>();
    std::string_view kind = tool_error::kFailed;
    if (message == tool_error::kTimeout) kind = tool_error::kTimeout;
    if (message == tool_error::kCancelled) kind = tool_error::kCancelled;
    return ToolResult::Error(kind, std::move(message));
  }
  return ToolResult::Json(std::move(entry));
}

}  // namespace reagent
