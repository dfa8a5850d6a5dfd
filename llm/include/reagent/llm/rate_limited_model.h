// RateLimitedModel: a ChatModel that takes a RateLimiter permit before every call to the
// model below it, and feeds the response's rate-limit headers and real usage back.
//
// Sits directly above the HTTP client, below RetryingModel, so every attempt — retries too —
// is paced. A limiter wait is reported as ModelEvent::kLimiterWait on request.on_event. When
// the wait would pass the request's deadline the call fails with kTimeout without being sent;
// beyond the limiter's max_wait with kRateLimited carrying the wait as retry_after_s (so the
// retry layer fails fast and a fallback model can take the call); cancellation while waiting
// fails it with kCancelled; a shared pacing state that cannot be reached fails it with
// kUnavailable, unsent (the failure is not the model's: no retry, no breaker failure).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "reagent/llm/chat_model.h"
#include "reagent/llm/rate_limiter.h"

namespace reagent {

// Tokens a request may consume, for the reservation: ChatRequest::prompt_tokens when the caller
// counted the prompt, else about 4 bytes per prompt token plus a few per message; plus the
// output allowance (max_tokens, or `default_output` without one),
// which is also how OpenAI counts a request against its tokens-per-minute limit.
int64_t EstimateRequestTokens(const ChatRequest& request, int64_t default_output = 1024);

class RateLimitedModel final : public ChatModel {
 public:
  // inner and limiter are shared: one limiter per endpoint may serve several models.
  RateLimitedModel(std::shared_ptr<ChatModel> inner, std::shared_ptr<RateLimiter> limiter);

  // Thread-safe when inner is.
  ChatResult Complete(const ChatRequest& request) override;
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override;
  std::string name() const override { return inner_->name(); }

  RateLimiter& limiter() { return *limiter_; }

 private:
  ChatResult Run(const ChatRequest& request, const DeltaCallback* on_delta);

  std::shared_ptr<ChatModel> inner_;
  std::shared_ptr<RateLimiter> limiter_;
};

}  // namespace reagent
