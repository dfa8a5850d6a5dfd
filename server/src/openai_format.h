// The OpenAI wire shapes the server answers with: error objects, chat.completion and
// chat.completion.chunk bodies, SSE framing, the model list. reagent's own information
// (stop reason, steps, cost, session) travels in a "reagent" field that OpenAI clients
// ignore, and progress events as SSE comment lines (": reagent {...}"), which SSE clients
// skip by definition.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_exchange.h"
#include "reagent/core/json.h"
#include "reagent/core/message.h"

namespace reagent::server {

// {"error": {"message", "type", "param": null, "code"}} with that status. `retry_after_s`
// adds a Retry-After header (whole seconds, rounded up, at least 1).
HttpResponse ErrorResponse(int status, std::string_view type, std::string_view code, std::string message,
                           std::optional<double> retry_after_s = std::nullopt);

// A JSON body with that status.
HttpResponse JsonResponse(int status, const Json& body);

// "Retry-After" value: whole seconds, rounded up, at least 1.
std::string RetryAfterValue(double seconds);

// {"prompt_tokens", "completion_tokens", "total_tokens"} (+ prompt_tokens_details.cached_tokens).
Json UsageJson(const Usage& usage);

struct CompletionIds {
  std::string id;       // "chatcmpl-…"
  int64_t created = 0;  // Unix seconds
  std::string model;    // as the client asked
};

// A whole chat.completion with one choice.
Json CompletionJson(const CompletionIds& ids, std::string_view content, std::string_view finish_reason,
                    const Usage& usage, Json reagent);

// One chat.completion.chunk. `delta` is the choice's delta object; a null delta makes a chunk
// without choices (the usage chunk). finish_reason null while the answer goes on.
Json ChunkJson(const CompletionIds& ids, Json delta, std::optional<std::string_view> finish_reason);

// "data: <json>\n\n"
std::string SseData(const Json& json);
// ": reagent <json>\n\n" — a comment line: OpenAI clients skip it; the chat page reads it.
std::string SseEvent(const Json& json);
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";

// A new "chatcmpl-…" id (random).
std::string NewCompletionId();

}  // namespace reagent::server
