// JSON-RPC 2.0 framing helpers for MCP: bounded parsing of untrusted text and recovering the id
// of a message too large to parse. Private to the mcp library.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"

namespace reagent::mcp_internal {

// Parses one message (an object, or an array of objects for a batch) from untrusted text:
// InvalidArgument naming the problem when it is not JSON or nests deeper than max_depth.
Result<nlohmann::json> ParseMessage(std::string_view text, int max_depth);

// Deepest nesting of arrays/objects in text (strings and escapes skipped); stops counting once
// past `limit` and returns limit + 1.
int NestingDepth(std::string_view text, int limit);

// The top-level "id" of a JSON-RPC message seen only in part: `head` (its first bytes) and
// `tail` (its last bytes). Servers put the id first ({"jsonrpc":"2.0","id":7,...}) or last
// ({"result":...,"jsonrpc":"2.0","id":7}); an integer or short string id right after '{' or
// right before the closing '}' is taken. nullopt when neither end shows one.
std::optional<nlohmann::json> RecoverId(std::string_view head, std::string_view tail);

// Kinds of incoming message.
enum class MessageKind { kRequest, kNotification, kResponse, kInvalid };
MessageKind Classify(const nlohmann::json& message);

// {"jsonrpc":"2.0","id":id,"error":{"code":code,"message":message}}
nlohmann::json ErrorResponse(const nlohmann::json& id, int code, std::string message);

// Untrusted text from a server, made safe to show: valid UTF-8, control characters other than
// newline and tab replaced, at most max_bytes (with "…").
std::string ShowableText(std::string_view text, std::size_t max_bytes = 300);

// JSON-RPC error codes used here.
inline constexpr int kMethodNotFound = -32601;

}  // namespace reagent::mcp_internal
