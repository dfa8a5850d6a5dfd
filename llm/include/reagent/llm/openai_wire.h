// The OpenAI chat-completions wire format: building the request body, reading a whole
// response, and assembling a streamed one chunk by chunk. No I/O, so every quirk of the
// compatible servers is tested without a network.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reagent/core/expected.h"
#include "reagent/llm/chat_model.h"

namespace reagent {

struct WireOptions {
  // The name of the output allowance field: "max_tokens" (widest support) or
  // "max_completion_tokens" (required by OpenAI's o-series and gpt-5).
  std::string max_tokens_field = "max_tokens";
  // Ask for usage in the final stream chunk (stream_options.include_usage). Some older
  // servers reject unknown fields; turn it off for them.
  bool stream_include_usage = true;
};

// The JSON body for POST /chat/completions. `model` is used when request.model is empty.
nlohmann::json BuildChatRequestBody(const ChatRequest& request, std::string_view model,
                                    bool stream, const WireOptions& options = {});

// The largest token count one call may report per field: 100 times the largest context
// window on the market. Anything above it is a lie or a bug, not a bill.
inline constexpr int64_t kMaxReportedTokens = 100'000'000;

// Usage from a "usage" object: prompt/completion tokens and cached tokens from
// prompt_tokens_details.cached_tokens (OpenAI) or prompt_cache_hit_tokens (DeepSeek). The
// provider's numbers are untrusted: a count that is not an integer in [0, kMaxReportedTokens]
// makes the whole usage count as unreported (all zero, a warning logged), so the caller
// counts the tokens itself; cached tokens are capped at the prompt tokens.
Usage ParseWireUsage(const nlohmann::json& usage);

// A whole (non-streamed) response body. Errors are malformed_response for invalid JSON or
// missing fields, the provider's error for an {"error":...} body, and content_filter when
// the only choice was filtered with nothing returned.
Expected<ChatResponse, ModelError> ParseChatResponse(std::string_view body, std::string_view model);

// Assembles a streamed reply from its chunks (the JSON of each SSE "data:" event).
// Tool-call fragments are joined by their "index" (a fragment without one continues the
// last call, or starts call 0); names and ids are taken from the first fragment that has
// them, so servers that repeat them in every fragment are fine. Not thread-safe.
class StreamAssembler {
 public:
  explicit StreamAssembler(std::string model) : model_(std::move(model)) {}

  // Applies one chunk and reports its delta(s) to on_delta (may be empty). An {"error":...}
  // chunk returns the error; a chunk that is not a JSON object returns malformed_response.
  std::optional<ModelError> Apply(std::string_view data, const DeltaCallback& on_delta);

  // Whether a chunk carried a finish_reason.
  bool finished() const { return !response_.finish_reason.empty(); }
  bool has_usage() const { return has_usage_; }

  // The assembled response; tool calls ordered by index.
  ChatResponse Take();

 private:
  std::string model_;
  ChatResponse response_;
  std::map<int, ToolCall> calls_;
  int last_index_ = -1;
  bool has_usage_ = false;
};

}  // namespace reagent
