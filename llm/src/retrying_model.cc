#include "reagent/llm/retrying_model.h"

#include <utility>

#include "failure_reason.h"

namespace reagent {

using internal::FormatSeconds;
using internal::ShortReason;

RetryingModel::RetryingModel(std::shared_ptr<ChatModel> inner, Clock& clock, Random& random,
                             RetryPolicy policy, std::shared_ptr<RetryBudget> budget)
    : inner_(std::move(inner)), clock_(clock), random_(random), policy_(policy),
      budget_(budget ? std::move(budget)
                     : std::make_shared<RetryBudget>(clock, policy.budget_ratio,
                                                     policy.budget_window,
                                                     policy.budget_min_retries)) {}

ChatResult RetryingModel::Complete(const ChatRequest& request) { return Run(request, nullptr); }

ChatResult RetryingModel::Stream(const ChatRequest& request, const DeltaCallback& on_delta) {
  return Run(request, &on_delta);
}

ChatResult RetryingModel::Run(const ChatRequest& request, const DeltaCallback* on_delta) {
  budget_->RecordCall();
  const std::string model = request.model.empty() ? inner_->name() : request.model;
  auto cancelled = [&](int attempts_made) {
    ModelError error{.kind = ModelErrorKind::kCancelled, .model = model};
    error.message = attempts_made ? "cancelled while waiting to retry" : "cancelled";
    return ChatResult(MakeUnexpected(std::move(error)));
  };
  Duration previous_wait = policy_.base;
  for (int attempt = 1;; ++attempt) {
    if (request.cancel.cancelled()) return cancelled(attempt - 1);
    // A fresh request per attempt: whatever the inner model did with the last one (moved
    // out of it, consumed a callback) cannot leak into this try.
    ChatRequest fresh = request;
    bool delivered = false;
    ChatResult result = [&] {
      if (!on_delta) return inner_->Complete(fresh);
      DeltaCallback forward = [&](const ChatDelta& delta) {
        delivered = true;
        if (*on_delta) (*on_delta)(delta);
      };
      return inner_->Stream(fresh, forward);
    }();
    if (result.ok()) {
      result->attempts += attempt - 1;
      return result;
    }

    ModelError error = result.error();
    if (error.model.empty()) error.model = model;
    auto give_up = [&](const std::string& why) {
      error.message += error.message.empty() ? why : " (" + why + ")";
      return ChatResult(MakeUnexpected(std::move(error)));
    };
    if (!error.retryable()) return result;
    if (delivered) return give_up("not retried: the stream had already started");
    if (attempt >= policy_.max_attempts) {
      if (attempt == 1) return result;
      return give_up("gave up after " + std::to_string(attempt) + " attempts");
    }

    Duration wait;
    if (std::optional<double> hint = ServerHintSeconds(error)) {
      const Duration hinted = Seconds(*hint);
      if (hinted > policy_.max_hint_wait) {
        error.retry_after_s = *hint;
        return give_up("server asks to wait " + FormatSeconds(hinted) + ", more than the " +
                       FormatSeconds(policy_.max_hint_wait) + " this client waits");
      }
      wait = hinted + policy_.hint_padding;
    } else {
      wait = policy_.Backoff(attempt, previous_wait, random_);
    }
    if (request.deadline && clock_.Now() + wait >= *request.deadline) {
      error.hit_deadline = true;
      return give_up("a retry in " + FormatSeconds(wait) + " would pass the deadline");
    }
    if (!budget_->TryRetry()) return give_up("retry budget exhausted");

    if (request.on_event) {
      ModelEvent event{.kind = ModelEvent::Kind::kRetry, .model = error.model, .attempt = attempt,
                       .wait = wait, .reason = ShortReason(error)};
      request.on_event(event);
    }
    if (!clock_.SleepFor(wait, request.cancel)) return cancelled(attempt);
    previous_wait = wait;
  }
}

}  // namespace reagent
