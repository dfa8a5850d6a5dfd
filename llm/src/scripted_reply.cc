#include "reagent/llm/scripted_reply.h"

#include "reagent/core/json.h"
#include "reagent/llm/http_error.h"
#include "reagent/llm/openai_wire.h"

namespace reagent {
namespace {

constexpr int kMinHttpErrorStatus = 400;
constexpr int kMaxHttpStatus = 599;

Status Bad(std::string_view where, std::string_view what) {
  return Status::InvalidArgument(std::string(where) + ": " + std::string(what));
}

Status WrongType(std::string_view where, std::string_view expected, const nlohmann::json& got) {
  return Bad(where, "expected " + std::string(expected) + ", got " + std::string(JsonTypeName(got)));
}

Result<ScriptedUsage> ParseUsage(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) return WrongType(where, "an object", j);
  ScriptedUsage usage;
  for (const auto& [key, value] : j.items()) {
    std::string path = where + "." + key;
    if (key == "total_tokens") continue;  // derived; accepted for copy-pasted provider replies
    if (!value.is_number_integer() ||
        (value.is_number_unsigned() && value.get<uint64_t>() > kMaxReportedTokens) ||
        value.get<int64_t>() < 0 || value.get<int64_t>() > kMaxReportedTokens) {
      return Bad(path, "expected an integer in [0, " + std::to_string(kMaxReportedTokens) + "], got " +
                           DumpJson(value));
    }
    int64_t n = value.get<int64_t>();
    if (key == "prompt_tokens") usage.prompt_tokens = n;
    else if (key == "completion_tokens") usage.completion_tokens = n;
    else if (key == "cached_tokens") usage.cached_tokens = n;
    else return Bad(path, "unknown key (expected prompt_tokens, completion_tokens, cached_tokens)");
  }
  return usage;
}

Result<std::vector<ToolCall>> ParseToolCalls(const nlohmann::json& j, const std::string& where) {
  if (!j.is_array()) return WrongType(where, "an array", j);
  std::vector<ToolCall> calls;
  for (size_t i = 0; i < j.size(); ++i) {
    std::string path = where + "[" + std::to_string(i) + "]";
    const auto& call = j[i];
    if (!call.is_object()) return WrongType(path, "an object", call);
    ToolCall tc;
    tc.id = "call_" + std::to_string(i + 1);
    bool has_name = false;
    for (const auto& [key, value] : call.items()) {
      if (key == "name") {
        if (!value.is_string()) return WrongType(path + ".name", "a string", value);
        tc.name = value.get<std::string>();
        has_name = true;
      } else if (key == "arguments") {
        // An object is the natural way to script; a string is passed through verbatim so that
        // scripts can feed invalid JSON to the agent.
        tc.arguments = value.is_string() ? value.get<std::string>() : DumpJson(value);
      } else if (key == "id") {
        if (!value.is_string()) return WrongType(path + ".id", "a string", value);
        tc.id = value.get<std::string>();
      } else {
        return Bad(path + "." + key, "unknown key (expected name, arguments, id)");
      }
    }
    if (!has_name) return Bad(path, "missing \"name\"");
    if (tc.arguments.empty()) tc.arguments = "{}";
    calls.push_back(std::move(tc));
  }
  return calls;
}

Result<ModelError> ParseError(const nlohmann::json& j, const std::string& where,
                              std::string_view model) {
  if (!j.is_object()) return WrongType(where, "an object", j);
  ModelError e;
  e.model = std::string(model);
  for (const auto& [key, value] : j.items()) {
    std::string path = where + "." + key;
    if (key == "status") {
      if (!value.is_number_integer() || value.get<int64_t>() < kMinHttpErrorStatus ||
          value.get<int64_t>() > kMaxHttpStatus ||
          (value.is_number_unsigned() && value.get<uint64_t>() > kMaxHttpStatus)) {
        return Bad(path, "expected an HTTP error status (400-599)");
      }
      e.http_status = static_cast<int>(value.get<int64_t>());
    } else if (key == "code") {
      if (!value.is_string()) return WrongType(path, "a string", value);
      e.code = value.get<std::string>();
    } else if (key == "message") {
      if (!value.is_string()) return WrongType(path, "a string", value);
      e.message = value.get<std::string>();
    } else if (key == "retry_after") {
      if (!value.is_number() || value.get<double>() < 0) {
        return WrongType(path, "a non-negative number of seconds", value);
      }
      e.retry_after_s = value.get<double>();
    } else {
      return Bad(path, "unknown key (expected status, code, message, retry_after)");
    }
  }
  if (e.http_status == 0) return Bad(where, "missing \"status\"");
  e.kind = ClassifyHttpStatus(e.http_status, e.code, e.message);
  if (e.message.empty()) {
    e.message = "scripted " + std::to_string(e.http_status) + (e.code.empty() ? "" : " " + e.code);
  }
  return e;
}

}  // namespace

Result<ScriptedReply> ParseScriptedReply(const nlohmann::json& reply, std::string_view where_view,
                                         std::string_view model) {
  std::string where(where_view);
  if (!reply.is_object()) return WrongType(where, "an object", reply);
  ScriptedReply out;
  int shapes = 0;
  bool has_content = false;
  for (const auto& [key, value] : reply.items()) {
    std::string path = where + "." + key;
    if (key == "content") {
      if (!value.is_string()) return WrongType(path, "a string", value);
      out.content = value.get<std::string>();
      has_content = true;
    } else if (key == "tool_calls") {
      auto calls = ParseToolCalls(value, path);
      if (!calls.ok()) return calls.status();
      out.tool_calls = std::move(*calls);
      out.kind = ScriptedReply::Kind::kToolCalls;
      ++shapes;
    } else if (key == "error") {
      auto error = ParseError(value, path, model);
      if (!error.ok()) return error.status();
      out.error = std::move(*error);
      out.kind = ScriptedReply::Kind::kError;
      ++shapes;
    } else if (key == "timeout") {
      if (!value.is_boolean()) return WrongType(path, "a boolean", value);
      if (!value.get<bool>()) return Bad(path, "only true is meaningful");
      out.kind = ScriptedReply::Kind::kTimeout;
      ++shapes;
    } else if (key == "usage") {
      auto usage = ParseUsage(value, path);
      if (!usage.ok()) return usage.status();
      out.usage = *usage;
    } else {
      return Bad(path, "unknown key (expected content, tool_calls, error, timeout, usage)");
    }
  }
  if (shapes > 1) return Bad(where, "a reply has only one of tool_calls, error, timeout");
  if (shapes == 1 && has_content && out.kind != ScriptedReply::Kind::kToolCalls) {
    return Bad(where, "\"content\" goes with a text or tool_calls reply only");
  }
  if (shapes == 0 && !has_content) {
    return Bad(where, "expected one of content, tool_calls, error, timeout");
  }
  return out;
}

Result<std::vector<ScriptedReply>> ParseScriptedReplies(const nlohmann::json& replies,
                                                        std::string_view where,
                                                        std::string_view model) {
  if (!replies.is_array()) return WrongType(where, "an array of replies", replies);
  std::vector<ScriptedReply> out;
  out.reserve(replies.size());
  for (size_t i = 0; i < replies.size(); ++i) {
    auto reply = ParseScriptedReply(replies[i], std::string(where) + "[" + std::to_string(i) + "]",
                                    model);
    if (!reply.ok()) return reply.status();
    out.push_back(std::move(*reply));
  }
  return out;
}

}  // namespace reagent
