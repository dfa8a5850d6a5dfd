// The JSON and SSE text the mock server sends, shaped like OpenAI's. Internal to mockllm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/message.h"
#include "reagent/core/random.h"

namespace reagent::mockllm {

// n characters of [A-Za-z0-9], as in "chatcmpl-" and "call_" ids.
std::string RandomAlnum(Random& random, size_t n);

struct ReplyContent {
  std::string id;       // "chatcmpl-..."
  std::string model;
  int64_t created = 0;  // Unix seconds
  std::string content;
  std::vector<ToolCall> tool_calls;
  Usage usage;
};

std::string FinishReason(const ReplyContent& reply);

// A whole chat.completion object.
nlohmann::json CompletionBody(const ReplyContent& reply);

// The SSE events of a streamed reply, each "data: ...\n\n": a role chunk, content in pieces
// of chunk_chars characters, each tool call (name first, then its arguments in pieces), the
// finish chunk, the usage chunk when include_usage, and "data: [DONE]\n\n".
std::vector<std::string> StreamEvents(const ReplyContent& reply, size_t chunk_chars, bool include_usage);

// {"error":{"message","type","param":null,"code"}}; an empty code is sent as null.
std::string ErrorBody(const std::string& message, const std::string& type, const std::string& code);

// The error "type" OpenAI uses for a status.
std::string ErrorTypeFor(int status);

// Prompt tokens as the mock estimates them: the request's messages JSON bytes / 4, rounded up.
int64_t EstimatePromptTokens(const nlohmann::json& body);
int64_t EstimateTextTokens(const std::string& text);

}  // namespace reagent::mockllm
