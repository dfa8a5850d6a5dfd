// Turning an HTTP error reply of an OpenAI-compatible server into a ModelError: the status
// code, the provider's error code and message (in whichever body shape the server uses), the
// Retry-After hint and the rate-limit headers. Pure functions, shared by the HTTP client, the
// scripted test double and the mock server's tests.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/clock.h"
#include "reagent/llm/http_headers.h"
#include "reagent/llm/model_error.h"

namespace reagent {

// Whether a provider error code or message says the prompt does not fit the model's context
// window. Knows OpenAI/Azure/Groq ("context_length_exceeded"), OpenAI, DeepSeek, vLLM and
// OpenRouter ("maximum context length is N tokens"), Anthropic ("prompt is too long"),
// llama.cpp ("exceeds the available context size"), Ollama, Gemini ("input token count ...
// exceeds the maximum number of tokens"), Mistral ("too large for model with N maximum context
// length") and Bedrock ("input is too long").
bool IsContextLengthError(std::string_view code, std::string_view message);

// The kind for an HTTP status and the provider's code/message:
//   400/413/422 context phrasing -> context_length_exceeded; content_filter codes ->
//   content_filter; other 400/422 -> bad_request; 401/403 -> auth; 402 and 429
//   insufficient_quota -> quota_exhausted; other 429 -> rate_limited; 404 -> not_found;
//   408 -> timeout; 503/529 -> overloaded; other 5xx -> server_error.
ModelErrorKind ClassifyHttpStatus(int status, std::string_view code, std::string_view message);

// The full error for a non-2xx reply. The body may be OpenAI's {"error":{message,type,code}},
// {"error":"text"}, {"message":...}, {"detail":...} or not JSON at all (a proxy's HTML page);
// the message is shortened and passed through RedactSecrets. `now` turns a Retry-After HTTP
// date into seconds. For 429 without Retry-After the x-ratelimit-reset-* of the exhausted
// window is the hint.
ModelError ModelErrorFromHttp(int status, const HttpHeaders& headers, std::string_view body,
                              std::string_view model, WallTime now);

// The same for an error object found inside a 200 reply or an SSE stream
// ({"error":{...}}), as OpenRouter and OpenAI send mid-stream. A numeric "code" is taken as the
// HTTP status; otherwise the status is 0 and the code decides (default server_error).
ModelError ModelErrorFromErrorObject(const nlohmann::json& error, std::string_view model);

}  // namespace reagent
