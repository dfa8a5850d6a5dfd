// RetryingModel: a ChatModel that tries a failed call again, politely.
//
// The only retry layer in reagent: OpenAIChatModel never retries, FallbackChain moves on
// instead of retrying, and the agent does not retry model calls — so attempts never multiply
// across layers. Stack it directly above the rate limiter:
//   FallbackChain → CircuitBreaker → RetryingModel → RateLimitedModel → OpenAIChatModel
//
// Rules (each one a unit test):
//  - only ModelError::retryable() kinds are retried; quota_exhausted, auth, bad_request,
//    context_length_exceeded, content_filter, not_found and cancelled fail at once;
//  - the wait is the server's hint (ServerHintSeconds) when there is one — a hint above
//    policy.max_hint_wait fails at once as rate_limited carrying the hint — else the policy's
//    backoff;
//  - a wait that would end past the request's deadline is not started: the call fails with
//    the last error;
//  - each retry takes one unit from the shared RetryBudget; when it is spent the call fails;
//  - a stream is retried only while no delta has reached the caller;
//  - every attempt gets a fresh copy of the request (nothing is re-sent half-consumed);
//  - each retry is reported as a ModelEvent::kRetry (attempt, wait, reason) on
//    request.on_event; ChatResponse::attempts counts every attempt made.
// The waits happen on the injected Clock (a ManualClock simulates them) and are cut short by
// request.cancel.
#pragma once

#include <memory>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/core/random.h"
#include "reagent/llm/chat_model.h"
#include "reagent/llm/retry_budget.h"
#include "reagent/llm/retry_policy.h"

namespace reagent {

class RetryingModel final : public ChatModel {
 public:
  // inner, clock and random must outlive this object (inner is shared). `budget` may be shared
  // by several RetryingModels; null builds a private one from the policy's budget fields.
  RetryingModel(std::shared_ptr<ChatModel> inner, Clock& clock, Random& random,
                RetryPolicy policy = {}, std::shared_ptr<RetryBudget> budget = nullptr);

  // Thread-safe when inner is.
  ChatResult Complete(const ChatRequest& request) override;
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override;
  std::string name() const override { return inner_->name(); }

  const RetryPolicy& policy() const { return policy_; }
  RetryBudget& budget() { return *budget_; }

 private:
  ChatResult Run(const ChatRequest& request, const DeltaCallback* on_delta);

  std::shared_ptr<ChatModel> inner_;
  Clock& clock_;
  Random& random_;
  RetryPolicy policy_;
  std::shared_ptr<RetryBudget> budget_;
};

}  // namespace reagent
