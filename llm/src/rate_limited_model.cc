#include "reagent/llm/rate_limited_model.h"

#include <utility>

namespace reagent {
namespace {

// Rough bytes per token of English and code in BPE vocabularies; the reservation is
// settled with the real usage, so an estimate only has to be in the right range.
constexpr int64_t kBytesPerToken = 4;
// Role and separator tokens each message adds in OpenAI's chat format.
constexpr int64_t kTokensPerMessage = 4;

}  // namespace

int64_t EstimateRequestTokens(const ChatRequest& request, int64_t default_output) {
  const int64_t output = request.max_tokens.value_or(default_output);
  // The caller's exact count, when it has one: no pass over the whole history per call.
  if (request.prompt_tokens) return *request.prompt_tokens + output;
  int64_t bytes = 0;
  int64_t tokens = 0;
  for (const Message& m : request.messages) {
    bytes += static_cast<int64_t>(m.content.size());
    for (const ToolCall& call : m.tool_calls) {
      bytes += static_cast<int64_t>(call.name.size() + call.arguments.size());
    }
    tokens += kTokensPerMessage;
  }
  for (const ToolSpec& tool : request.tools) {
    bytes += static_cast<int64_t>(tool.name.size() + tool.description.size() +
                                  tool.parameters.dump().size());
  }
  tokens += (bytes + kBytesPerToken - 1) / kBytesPerToken;
  return tokens + output;
}

RateLimitedModel::RateLimitedModel(std::shared_ptr<ChatModel> inner,
                                   std::shared_ptr<RateLimiter> limiter)
    : inner_(std::move(inner)), limiter_(std::move(limiter)) {}

ChatResult RateLimitedModel::Complete(const ChatRequest& request) { return Run(request, nullptr); }

ChatResult RateLimitedModel::Stream(const ChatRequest& request, const DeltaCallback& on_delta) {
  return Run(request, &on_delta);
}

ChatResult RateLimitedModel::Run(const ChatRequest& request, const DeltaCallback* on_delta) {
  const std::string model = request.model.empty() ? inner_->name() : request.model;
  Result<RateLimiter::Permit> permit =
      limiter_->Acquire(EstimateRequestTokens(request), request.deadline, request.cancel);
  if (!permit.ok()) {
    const Status& s = permit.status();
    ModelError error{.kind = s.code() == StatusCode::kCancelled     ? ModelErrorKind::kCancelled
                             : s.code() == StatusCode::kRateLimited ? ModelErrorKind::kRateLimited
                             : s.code() == StatusCode::kUnavailable ? ModelErrorKind::kUnavailable  // shared pacing state
                                                                    : ModelErrorKind::kTimeout,
                     .message = s.message(), .model = model, .retry_after_s = s.retry_after_s()};
    error.hit_deadline = s.code() == StatusCode::kDeadlineExceeded;
    return MakeUnexpected(std::move(error));
  }
  if (permit->waited() > Duration::zero() && request.on_event) {
    request.on_event(ModelEvent{.kind = ModelEvent::Kind::kLimiterWait, .model = model,
                                .wait = permit->waited(), .reason = "client-side rate limit"});
  }
  ChatResult result = on_delta ? inner_->Stream(request, *on_delta) : inner_->Complete(request);
  if (result.ok()) {
    limiter_->Observe(result->rate_limit);
    // No usage reported: the estimate stays charged, the safe side of the provider's count.
    if (result->usage.total_tokens() > 0) permit->Settle(result->usage.total_tokens());
  } else {
    const ModelError& error = result.error();
    limiter_->Observe(error.rate_limit);
    if (error.kind == ModelErrorKind::kRateLimited && error.retry_after_s) {
      limiter_->PauseFor(*error.retry_after_s);
    }
    // A refused call consumed no tokens; the request itself stays counted.
    permit->Settle(0);
  }
  return result;
}

}  // namespace reagent
