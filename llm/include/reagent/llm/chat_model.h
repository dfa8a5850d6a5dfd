// ChatModel: one call to an OpenAI-compatible chat model. Implementations: OpenAIChatModel
// (HTTP), ScriptedModel (test double), and the decorators of the resilience layer
// (RetryingModel, RateLimitedModel, FallbackChain, CachingModel), which are ChatModels too.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/core/expected.h"
#include "reagent/core/message.h"
#include "reagent/core/message_list.h"
#include "reagent/llm/model_error.h"
#include "reagent/llm/model_event.h"

namespace reagent {

// A tool the model may call, in OpenAI's "function" shape.
struct ToolSpec {
  std::string name;
  std::string description;
  nlohmann::json parameters = nlohmann::json::object();  // JSON schema of the arguments
  friend bool operator==(const ToolSpec&, const ToolSpec&) = default;
};

// The OpenAI `tools` array for these tools (null when there are none): what token counting
// charges for the tool schemas of a request.
nlohmann::json ToolsJson(const std::vector<ToolSpec>& tools);

// Copying a request is cheap: `messages` is shared between copies (MessageList), so layers
// that route, retry, key or pace a request may copy it without copying its history.
struct ChatRequest {
  std::string model;  // empty: the model the ChatModel was configured with
  MessageList messages;
  std::vector<ToolSpec> tools;
  nlohmann::json tool_choice;            // null: provider default ("auto" when tools are given)
  std::optional<double> temperature;
  std::optional<int64_t> max_tokens;     // output allowance; the budget caps it
  // The prompt's exact size in tokens (messages and tools), when the caller has counted it
  // (the agent does). Client-side pacing reserves it instead of estimating from the bytes of
  // every message. Never sent to the provider.
  std::optional<int64_t> prompt_tokens;
  std::vector<std::string> stop;
  nlohmann::json response_format;        // null: plain text
  std::optional<TimePoint> deadline;     // on the ChatModel's clock; nothing waits past it
  CancellationToken cancel;
  ModelEventCallback on_event;           // retries, waits, fallbacks... of this call (optional)
};

struct ChatResponse {
  std::string id;
  std::string model;                     // the model that answered, as the server names it
  // The model name reagent asked for (set by the client and the fallback chain). Prices and
  // budgets use it: the server's name is untrusted and may be unpriced or cheaper.
  std::string requested_model;
  std::string content;
  std::vector<ToolCall> tool_calls;
  std::string finish_reason;             // "stop", "length", "tool_calls", "content_filter"
  Usage usage;                           // as reported (or counted when the provider omits it)
  RateLimitInfo rate_limit;              // from the response headers
  Duration latency{0};
  int attempts = 1;                      // calls made, including retries
  int fallbacks = 0;                     // models skipped or abandoned before this one
  bool cache_hit = false;
};

// A streamed piece of the reply: text, or a fragment of tool call `tool_index`.
struct ChatDelta {
  std::string content;
  std::optional<int> tool_index;
  std::string tool_call_id;
  std::string tool_name;
  std::string tool_arguments;
};
using DeltaCallback = std::function<void(const ChatDelta&)>;

using ChatResult = Expected<ChatResponse, ModelError>;

class ChatModel {
 public:
  virtual ~ChatModel() = default;

  // One completion. Thread-safe unless the implementation says otherwise.
  virtual ChatResult Complete(const ChatRequest& request) = 0;

  // The same, delivering the reply piece by piece to on_delta as it arrives; the returned
  // response holds the whole reply. Default: Complete, then one delta with the content.
  virtual ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta);

  // The model name requests go to when ChatRequest::model is empty.
  virtual std::string name() const = 0;
};

}  // namespace reagent
