#include "chat_request.h"

#include <cctype>

#include <fmt/format.h>

namespace reagent::server {
namespace {

Status Invalid(const std::string& path, std::string_view message) {
  return Status::InvalidArgument(fmt::format("{}: {}", path, message));
}

Result<std::string> ContentText(const Json& content, const std::string& path) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) return Invalid(path, "expected a string or an array of text parts");
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& part = content[i];
    const std::string part_path = fmt::format("{}[{}]", path, i);
    if (!part.is_object() || !part.contains("type") || !part["type"].is_string()) {
      return Invalid(part_path, "expected {\"type\": \"text\", \"text\": \"...\"}");
    }
    if (part["type"] != "text") {
      return Invalid(part_path + ".type",
                     fmt::format("only text parts are supported, got \"{}\"", part["type"].get<std::string>()));
    }
    if (!part.contains("text") || !part["text"].is_string()) return Invalid(part_path + ".text", "expected a string");
    if (!text.empty()) text += '\n';
    text += part["text"].get<std::string>();
  }
  return text;
}

}  // namespace

bool PlausibleSessionId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

Result<ChatRequest> ParseChatRequest(const Json& body) {
  if (!body.is_object()) return Status::InvalidArgument(fmt::format("request body: expected a JSON object, got {}", JsonTypeName(body)));
  ChatRequest r;
  if (!body.contains("model")) return Invalid("model", "required");
  if (!body["model"].is_string() || body["model"].get<std::string>().empty()) {
    return Invalid("model", "expected a non-empty string");
  }
  r.model = body["model"].get<std::string>();

  if (!body.contains("messages")) return Invalid("messages", "required");
  const Json& messages = body["messages"];
  if (!messages.is_array() || messages.empty()) return Invalid("messages", "expected a non-empty array");
  for (size_t i = 0; i < messages.size(); ++i) {
    const Json& m = messages[i];
    const std::string path = fmt::format("messages[{}]", i);
    if (!m.is_object()) return Invalid(path, fmt::format("expected an object, got {}", JsonTypeName(m)));
    if (!m.contains("role") || !m["role"].is_string()) return Invalid(path + ".role", "expected a string");
    const std::string role = m["role"].get<std::string>();
    if (role != "system" && role != "developer" && role != "user" && role != "assistant" && role != "tool") {
      return Invalid(path + ".role", fmt::format("unknown role \"{}\"", role));
    }
  }
  const size_t last = messages.size() - 1;
  const Json& final_message = messages[last];
  const std::string last_path = fmt::format("messages[{}]", last);
  if (final_message["role"] != "user") {
    return Invalid(last_path + ".role",
                   "the last message must be the user's (the session holds the history; send only the new question)");
  }
  if (!final_message.contains("content")) return Invalid(last_path + ".content", "required");
  REAGENT_ASSIGN_OR_RETURN(r.user_text, ContentText(final_message["content"], last_path + ".content"));
  if (r.user_text.empty()) return Invalid(last_path + ".content", "is empty");

  if (body.contains("stream") && !body["stream"].is_null()) {
    if (!body["stream"].is_boolean()) return Invalid("stream", "expected true or false");
    r.stream = body["stream"].get<bool>();
  }
  if (body.contains("stream_options") && !body["stream_options"].is_null()) {
    const Json& o = body["stream_options"];
    if (!o.is_object()) return Invalid("stream_options", "expected an object");
    if (o.contains("include_usage")) {
      if (!o["include_usage"].is_boolean()) return Invalid("stream_options.include_usage", "expected true or false");
      r.include_usage = o["include_usage"].get<bool>();
    }
  }
  if (body.contains("n") && !body["n"].is_null() && body["n"] != 1) {
    return Invalid("n", "only one choice per request is supported");
  }
  for (const char* key : {"tools", "functions"}) {
    if (body.contains(key) && !body[key].is_null() && !body[key].empty()) {
      return Invalid(key, "the agent's tools are set in the server's configuration; requests cannot add tools");
    }
  }
  if (body.contains("metadata") && !body["metadata"].is_null()) {
    const Json& meta = body["metadata"];
    if (!meta.is_object()) return Invalid("metadata", "expected an object");
    if (meta.contains("session_id")) {
      if (!meta["session_id"].is_string() || !PlausibleSessionId(meta["session_id"].get<std::string>())) {
        return Invalid("metadata.session_id", "expected a session id (up to 64 characters of A-Z a-z 0-9 _ -)");
      }
      r.session_id = meta["session_id"].get<std::string>();
    }
  }
  return r;
}

}  // namespace reagent::server
