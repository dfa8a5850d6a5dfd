#include "reagent/llm/scripted_model.h"

#include <algorithm>

namespace reagent {
namespace {

constexpr int64_t kBytesPerTokenEstimate = 4;

int64_t ByteEstimate(std::string_view text) {
  return (static_cast<int64_t>(text.size()) + kBytesPerTokenEstimate - 1) / kBytesPerTokenEstimate;
}

ModelError ScriptFault(std::string_view model, std::string_view code, std::string message) {
  ModelError e;
  e.kind = ModelErrorKind::kUnavailable;
  e.model = std::string(model);
  e.code = std::string(code);
  e.message = std::move(message);
  return e;
}

ModelError Failure(std::string_view model, ModelErrorKind kind, std::string message) {
  ModelError e;
  e.kind = kind;
  e.model = std::string(model);
  e.message = std::move(message);
  return e;
}

}  // namespace

Result<std::unique_ptr<ScriptedModel>> ScriptedModel::Create(std::string model,
                                                             const nlohmann::json& replies,
                                                             Clock& clock,
                                                             ScriptedModelOptions options,
                                                             std::string_view where) {
  std::string path = where.empty() ? "models." + model : std::string(where);
  auto parsed = ParseScriptedReplies(replies, path, model);
  if (!parsed.ok()) return parsed.status();
  return std::make_unique<ScriptedModel>(std::move(model), std::move(*parsed), clock,
                                         std::move(options));
}

ScriptedModel::ScriptedModel(std::string model, std::vector<ScriptedReply> replies, Clock& clock,
                             ScriptedModelOptions options)
    : model_(std::move(model)),
      clock_(clock),
      options_(std::move(options)),
      replies_(std::make_move_iterator(replies.begin()), std::make_move_iterator(replies.end())) {}

int64_t ScriptedModel::CountPrompt(const ChatRequest& request) const {
  if (options_.count_prompt_tokens) return options_.count_prompt_tokens(request);
  int64_t total = 0;
  for (const Message& m : request.messages) {
    total += ByteEstimate(m.content);
    for (const ToolCall& c : m.tool_calls) total += ByteEstimate(c.name) + ByteEstimate(c.arguments);
  }
  return total;
}

int64_t ScriptedModel::CountText(std::string_view text) const {
  return options_.count_text_tokens ? options_.count_text_tokens(text) : ByteEstimate(text);
}

ChatResult ScriptedModel::Complete(const ChatRequest& request) {
  ScriptedReply reply;
  int64_t id = 0;
  {
    std::lock_guard lock(mu_);
    ++calls_;
    if (options_.record_requests) requests_.push_back(request);
    if (request.cancel.cancelled()) {
      return MakeUnexpected(Failure(model_, ModelErrorKind::kCancelled, "cancelled"));
    }
    if (request.deadline && clock_.Now() >= *request.deadline) {
      return MakeUnexpected(Failure(model_, ModelErrorKind::kTimeout, "deadline passed before the call"));
    }
    if (replies_.empty()) {
      return MakeUnexpected(ScriptFault(model_, kScriptExhaustedCode,
                                        "script exhausted for model " + model_));
    }
    reply = std::move(replies_.front());
    replies_.pop_front();
    id = next_id_++;
  }
  TimePoint start = clock_.Now();
  switch (reply.kind) {
    case ScriptedReply::Kind::kError:
      return MakeUnexpected(reply.error);
    case ScriptedReply::Kind::kTimeout: {
      Duration wait = options_.request_timeout;
      if (request.deadline) wait = std::clamp(*request.deadline - start, Duration{0}, wait);
      if (!clock_.SleepFor(wait, request.cancel)) {
        return MakeUnexpected(Failure(model_, ModelErrorKind::kCancelled, "cancelled"));
      }
      return MakeUnexpected(Failure(
          model_, ModelErrorKind::kTimeout,
          "no reply within " + std::to_string(static_cast<int64_t>(ToSeconds(wait))) + " s"));
    }
    case ScriptedReply::Kind::kContent:
    case ScriptedReply::Kind::kToolCalls:
      break;
  }
  ChatResponse response;
  response.id = "chatcmpl-scripted-" + std::to_string(id);
  response.model = model_;
  response.requested_model = model_;
  response.content = reply.content;
  response.tool_calls = reply.tool_calls;
  response.finish_reason = reply.tool_calls.empty() ? "stop" : "tool_calls";
  ScriptedUsage scripted = reply.usage.value_or(ScriptedUsage{});
  response.usage.prompt_tokens = scripted.prompt_tokens ? *scripted.prompt_tokens : CountPrompt(request);
  if (scripted.completion_tokens) {
    response.usage.completion_tokens = *scripted.completion_tokens;
    if (request.max_tokens && *scripted.completion_tokens > *request.max_tokens) {
      return MakeUnexpected(ScriptFault(
          model_, kUsageExceedsMaxTokensCode,
          "usage exceeds max_tokens: scripted completion_tokens " +
              std::to_string(*scripted.completion_tokens) + " > max_tokens " +
              std::to_string(*request.max_tokens) + " for model " + model_));
    }
  } else {
    int64_t counted = reply.content.empty() ? 0 : CountText(reply.content);
    for (const ToolCall& c : reply.tool_calls) counted += CountText(c.name) + CountText(c.arguments);
    response.usage.completion_tokens = counted;
  }
  response.usage.cached_tokens = std::min(scripted.cached_tokens, response.usage.prompt_tokens);
  response.latency = clock_.Now() - start;
  return response;
}

ChatResult ScriptedModel::Stream(const ChatRequest& request, const DeltaCallback& on_delta) {
  ChatResult result = Complete(request);
  if (!result.ok() || !on_delta) return result;
  const std::string& content = result->content;
  size_t step = std::max<size_t>(1, options_.stream_chunk_chars);
  for (size_t pos = 0; pos < content.size(); pos += step) {
    ChatDelta delta;
    delta.content = content.substr(pos, step);
    on_delta(delta);
  }
  for (size_t i = 0; i < result->tool_calls.size(); ++i) {
    const ToolCall& call = result->tool_calls[i];
    ChatDelta head;
    head.tool_index = static_cast<int>(i);
    head.tool_call_id = call.id;
    head.tool_name = call.name;
    on_delta(head);
    ChatDelta args;
    args.tool_index = static_cast<int>(i);
    args.tool_arguments = call.arguments;
    on_delta(args);
  }
  return result;
}

void ScriptedModel::Append(std::vector<ScriptedReply> replies) {
  std::lock_guard lock(mu_);
  for (auto& r : replies) replies_.push_back(std::move(r));
}

std::vector<ChatRequest> ScriptedModel::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t ScriptedModel::calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

size_t ScriptedModel::remaining() const {
  std::lock_guard lock(mu_);
  return replies_.size();
}

bool IsScriptFault(const ModelError& error) {
  return error.kind == ModelErrorKind::kUnavailable &&
         (error.code == kScriptExhaustedCode || error.code == kUsageExceedsMaxTokensCode);
}

}  // namespace reagent
