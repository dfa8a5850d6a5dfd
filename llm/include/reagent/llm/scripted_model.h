// ScriptedModel: a ChatModel that replays scripted replies in order (see scripted_reply.h and
// the scenario format). Used by every test suite above the model layer and by `reagent test`.
//
//   auto model = ScriptedModel::Create("gpt-4.1", json::parse(R"([{"content": "hi"}])"), clock,
//                                      {.count_prompt_tokens = ..., .count_text_tokens = ...});
//   ChatResult r = (*model)->Complete(request);
//
// Semantics:
//  - each call consumes the next reply; an empty queue answers ModelErrorKind::kUnavailable
//    with code "script_exhausted" ("script exhausted for model X"), consuming nothing;
//  - {"error": ...} answers that ModelError (kind from status and code, retry_after_s);
//  - {"timeout": true} advances the clock by the request timeout (or up to the request's
//    deadline when that comes first) and answers kTimeout;
//  - usage comes from the reply's "usage"; missing counts are computed with the injected
//    counters; a completion_tokens above the request's max_tokens answers kUnavailable with
//    code "usage_exceeds_max_tokens" (the script is wrong, not the model);
//  - a request already cancelled answers kCancelled and consumes nothing.
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/clock.h"
#include "reagent/llm/chat_model.h"
#include "reagent/llm/scripted_reply.h"

namespace reagent {

// Error codes a ScriptedModel uses for script faults (kind kUnavailable, not retryable).
inline constexpr std::string_view kScriptExhaustedCode = "script_exhausted";
inline constexpr std::string_view kUsageExceedsMaxTokensCode = "usage_exceeds_max_tokens";

struct ScriptedModelOptions {
  // What a {"timeout": true} reply costs on the clock. Default 60 s (the scenario default).
  Duration request_timeout = Seconds(60);
  // Prompt tokens of a request, when a reply's usage has no prompt_tokens. Default: the
  // UTF-8 bytes of all message contents and tool arguments divided by 4, rounded up (a rough
  // stand-in; inject the real tokenizer for exact budgets).
  std::function<int64_t(const ChatRequest&)> count_prompt_tokens;
  // Tokens of a reply's text (content, then each tool call's name and arguments), when a
  // reply's usage has no completion_tokens. Default: bytes / 4 rounded up.
  std::function<int64_t(std::string_view)> count_text_tokens;
  // Characters per streamed content delta in Stream(). Default 16.
  size_t stream_chunk_chars = 16;
  // Keep a copy of every request for requests(). Turn off where only the replies matter
  // (benchmarks): each copy holds the whole history, so a long turn keeps O(steps²) bytes.
  bool record_requests = true;
};

class ScriptedModel final : public ChatModel {
 public:
  // `replies` is the JSON array of one model's replies; errors name `where` + JSON path.
  // The clock must outlive the model.
  static Result<std::unique_ptr<ScriptedModel>> Create(std::string model,
                                                       const nlohmann::json& replies, Clock& clock,
                                                       ScriptedModelOptions options = {},
                                                       std::string_view where = "");
  ScriptedModel(std::string model, std::vector<ScriptedReply> replies, Clock& clock,
                ScriptedModelOptions options = {});

  ChatResult Complete(const ChatRequest& request) override;
  // Delivers content in stream_chunk_chars pieces, then each tool call as a name fragment and
  // an arguments fragment, then returns what Complete would.
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override;
  std::string name() const override { return model_; }

  // Appends replies at the end of the queue.
  void Append(std::vector<ScriptedReply> replies);

  // Every request received, in order, including those answered with an error (empty when
  // record_requests is off).
  std::vector<ChatRequest> requests() const;
  size_t calls() const;  // counted whether or not requests are recorded
  size_t remaining() const;

 private:
  int64_t CountPrompt(const ChatRequest& request) const;
  int64_t CountText(std::string_view text) const;

  const std::string model_;
  Clock& clock_;
  const ScriptedModelOptions options_;
  mutable std::mutex mu_;
  std::deque<ScriptedReply> replies_;
  std::vector<ChatRequest> requests_;
  size_t calls_ = 0;
  int64_t next_id_ = 1;
};

// Whether `error` is a ScriptedModel script fault (exhausted queue, usage over max_tokens)
// rather than a scripted provider error.
bool IsScriptFault(const ModelError& error);

}  // namespace reagent
