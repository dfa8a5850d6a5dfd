// FallbackChain: an ordered list of models (gpt-4.1 → gpt-4.1-mini → deepseek-chat) that
// serves a call with the first one able to.
//
// For each model in order:
//  - its CircuitBreaker (if any) is asked first; an open breaker skips the model;
//  - the call goes to the model with the request unchanged except `model` (tools,
//    tool_choice, response_format, stop, temperature, deadline, cancellation and the choice
//    of streaming are all kept — losing them on fallback is the classic framework bug);
//  - on success the response names the model that answered and counts the fallbacks;
//  - on failure the chain moves on when another model might succeed: transient failures
//    (already retried below), context_length_exceeded (a bigger window may fit),
//    quota_exhausted / auth (another provider, another key), not_found.
//    It stops at once on bad_request and content_filter (the request itself is refused),
//    on unavailable (already a verdict: a nested chain, a script fault), on cancellation,
//    once the deadline has passed, and once a stream has delivered text.
// When no model could serve: ModelError kind kUnavailable ("models_unavailable" for the
// agent) whose message lists each model's reason and whose retry_after_s is the soonest of
// the breakers' re-openings and the servers' retry hints. Events: kFallback for each move, kBreakerTransition for each breaker
// transition caused by this call, both on request.on_event.
// The chain does not retry: put a RetryingModel inside each entry (see resilient_model.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/llm/chat_model.h"
#include "reagent/llm/circuit_breaker.h"

namespace reagent {

struct FallbackEntry {
  std::shared_ptr<ChatModel> model;
  // Null: no breaker for this model.
  std::shared_ptr<CircuitBreaker> breaker;
  // The model name put in ChatRequest::model; empty: model->name().
  std::string model_name;
};

class FallbackChain final : public ChatModel {
 public:
  // Entries are tried in order; at least one is needed (an empty chain answers every call
  // with kUnavailable). The clock (for deadline checks) must outlive the chain.
  FallbackChain(std::vector<FallbackEntry> entries, Clock& clock);

  // Thread-safe when the entries' models are.
  ChatResult Complete(const ChatRequest& request) override;
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override;
  // The first model's name.
  std::string name() const override;

  const std::vector<FallbackEntry>& entries() const { return entries_; }

 private:
  ChatResult Run(const ChatRequest& request, const DeltaCallback* on_delta);

  std::vector<FallbackEntry> entries_;
  Clock& clock_;
};

// Whether, after `error` from one model, the next model in a chain may succeed.
bool WorthFallingBack(const ModelError& error);

}  // namespace reagent
