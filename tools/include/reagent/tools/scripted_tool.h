// ScriptedTool: a tool whose outputs are written in advance, one per call, for scenario files
// and tests. It goes through the same Invoke as a real tool (schema validation, output cap),
// so a scenario exercises the real argument checks.
//
//   "search": {"description": "Search the web",
//              "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
//              "returns": ["first call's output", {"error": "timeout"}, {"hits": 3}]}
//
// Each call consumes the next entry:
//   "text"                 → a successful result with that text;
//   {"error": "message"}   → an error result (error_kind "timeout" or "cancelled" when the
//                            message is exactly that word, else "failed");
//   any other JSON value   → a successful result whose structured field is the value and
//                            whose text is its compact dump.
// A call after the last entry returns an error with error_kind tool_error::kScriptExhausted
// and text "script exhausted for tool X after N calls"; a scenario runner treats that as a
// failure of the scenario, not of the agent.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"
#include "reagent/tools/tool.h"

namespace reagent {

// Thread-safe: concurrent calls consume distinct entries.
class ScriptedTool final : public Tool {
 public:
  ScriptedTool(ToolDefinition definition, std::vector<nlohmann::json> returns);

  // From a scenario file's tool entry: {"description", "parameters", "returns"} (description
  // and parameters optional). Errors name the JSON path under `where` ("tools.search.returns[1]:
  // expected a string or an object").
  static Result<std::shared_ptr<ScriptedTool>> FromJson(const std::string& name, const nlohmann::json& spec,
                                                        const std::string& where = "tools");

  // Calls made so far, including the one that found the script exhausted.
  int calls() const;
  // Entries not yet consumed.
  std::size_t remaining() const;
  // The arguments of every call, in order.
  std::vector<nlohmann::json> arguments_seen() const;

 protected:
  ToolResult Run(const nlohmann::json& arguments, const ToolContext& ctx) override;

 private:
  mutable std::mutex mu_;
  std::vector<nlohmann::json> returns_;
  std::size_t next_ = 0;
  int calls_ = 0;
  std::vector<nlohmann::json> seen_;
};

// True when a result reports that a scripted tool ran out of outputs.
inline bool IsScriptExhausted(const ToolResult& r) {
  return r.is_error && r.error_kind == tool_error::kScriptExhausted;
}

}  // namespace reagent
