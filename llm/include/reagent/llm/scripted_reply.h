// One scripted model reply, as scenario files and `reagent mock-llm --script` write them:
//   {"content": "..."}                                   text
//   {"tool_calls": [{"name": "...", "arguments": {...}}]} native tool calls (+ optional "content")
//   {"error": {"status": 429, "code": "...", "retry_after": 2, "message": "..."}}
//   {"timeout": true}                                     the request times out
// and optional "usage": {"prompt_tokens", "completion_tokens", "cached_tokens"} on any reply.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/message.h"
#include "reagent/core/status.h"
#include "reagent/llm/model_error.h"

namespace reagent {

struct ScriptedUsage {
  std::optional<int64_t> prompt_tokens;      // nullopt: counted
  std::optional<int64_t> completion_tokens;  // nullopt: counted
  int64_t cached_tokens = 0;
};

struct ScriptedReply {
  enum class Kind { kContent, kToolCalls, kError, kTimeout };
  Kind kind = Kind::kContent;
  std::string content;
  std::vector<ToolCall> tool_calls;  // ids are "call_<n>" unless the script names one
  ModelError error;                  // kind, http_status, code, message, retry_after_s
  std::optional<ScriptedUsage> usage;
};

// Parses one reply; errors name the JSON path `where` ("models.gpt-4.1[2].error.status: ...")
// and reject unknown keys and wrong types. `model` fills ModelError::model.
Result<ScriptedReply> ParseScriptedReply(const nlohmann::json& reply, std::string_view where,
                                         std::string_view model);

// Parses an array of replies for `model`; `where` names the array ("models.gpt-4.1").
Result<std::vector<ScriptedReply>> ParseScriptedReplies(const nlohmann::json& replies,
                                                        std::string_view where,
                                                        std::string_view model);

}  // namespace reagent
