#include "reagent/llm/fallback_chain.h"

#include <optional>
#include <utility>

#include "failure_reason.h"

namespace reagent {

using internal::ShortReason;

bool WorthFallingBack(const ModelError& error) {
  switch (error.kind) {
    case ModelErrorKind::kContextLengthExceeded:  // a model with a bigger window may take it
    case ModelErrorKind::kQuotaExhausted:         // another provider, another account
    case ModelErrorKind::kAuth:                   // another provider, another key
    case ModelErrorKind::kNotFound:               // this model is not served here
      return true;
    case ModelErrorKind::kBadRequest:     // the request is wrong for every model
    case ModelErrorKind::kContentFilter:  // switching models must not route around a refusal
    case ModelErrorKind::kCancelled:
    // Already a verdict: a nested chain that tried everything, or a test script fault that
    // must surface rather than be papered over by the next model.
    case ModelErrorKind::kUnavailable:
      return false;
    default:
      return error.transient();
  }
}

FallbackChain::FallbackChain(std::vector<FallbackEntry> entries, Clock& clock)
    : entries_(std::move(entries)), clock_(clock) {}

std::string FallbackChain::name() const {
  if (entries_.empty()) return "";
  const FallbackEntry& first = entries_.front();
  return first.model_name.empty() ? first.model->name() : first.model_name;
}

ChatResult FallbackChain::Complete(const ChatRequest& request) { return Run(request, nullptr); }

ChatResult FallbackChain::Stream(const ChatRequest& request, const DeltaCallback& on_delta) {
  return Run(request, &on_delta);
}

ChatResult FallbackChain::Run(const ChatRequest& request, const DeltaCallback* on_delta) {
  auto emit = [&](const ModelEvent& event) {
    if (request.on_event) request.on_event(event);
  };
  auto emit_transition = [&](const std::string& model, const std::optional<BreakerTransition>& t) {
    if (!t) return;
    emit(ModelEvent{.kind = ModelEvent::Kind::kBreakerTransition, .model = model,
                    .reason = t->reason, .from_state = std::string(BreakerStateName(t->from)),
                    .to_state = std::string(BreakerStateName(t->to))});
  };
  auto name_of = [&](size_t i) {
    return entries_[i].model_name.empty() ? entries_[i].model->name() : entries_[i].model_name;
  };

  std::string reasons;  // "gpt-4.1: circuit open…; gpt-4.1-mini: rate_limited (429)…"
  std::optional<Duration> soonest_retry;  // of open breakers and server hints
  auto note_retry = [&](Duration d) {
    if (!soonest_retry || d < *soonest_retry) soonest_retry = d;
  };
  int fallbacks = 0;
  bool hit_deadline = false;  // some model's try was cut short by the caller's deadline
  for (size_t i = 0; i < entries_.size(); ++i) {
    const FallbackEntry& entry = entries_[i];
    const std::string name = name_of(i);
    auto move_on = [&](const std::string& reason) {
      reasons += (reasons.empty() ? "" : "; ") + name + ": " + reason;
      if (i + 1 >= entries_.size()) return;
      ++fallbacks;
      emit(ModelEvent{.kind = ModelEvent::Kind::kFallback, .model = name, .reason = reason,
                      .to_model = name_of(i + 1)});
    };
    if (request.cancel.cancelled()) {
      return MakeUnexpected(ModelError{.kind = ModelErrorKind::kCancelled, .message = "cancelled",
                                       .model = name});
    }
    if (request.deadline && clock_.Now() >= *request.deadline) {
      std::string message = "deadline passed before a model could answer";
      if (!reasons.empty()) message += " (" + reasons + ")";
      return MakeUnexpected(ModelError{.kind = ModelErrorKind::kTimeout,
                                       .message = std::move(message), .model = name,
                                       .hit_deadline = true});
    }
    if (entry.breaker) {
      BreakerDecision decision = entry.breaker->Allow();
      emit_transition(name, decision.transition);
      if (!decision.allowed) {
        note_retry(decision.retry_in);
        move_on(decision.reason);
        continue;
      }
    }

    ChatRequest routed = request;  // everything kept but the model name
    routed.model = name;
    bool delivered = false;
    ChatResult result = [&] {
      if (!on_delta) return entry.model->Complete(routed);
      DeltaCallback forward = [&](const ChatDelta& delta) {
        delivered = true;
        if (*on_delta) (*on_delta)(delta);
      };
      return entry.model->Stream(routed, forward);
    }();
    if (entry.breaker) {
      emit_transition(name, entry.breaker->Record(result.ok() ? CallOutcome::kSuccess
                                                              : OutcomeOf(result.error())));
    }
    if (result.ok()) {
      if (result->model.empty()) result->model = name;
      if (result->requested_model.empty()) result->requested_model = name;
      result->fallbacks = fallbacks;
      return result;
    }
    const ModelError& error = result.error();
    if (delivered || !WorthFallingBack(error)) return result;
    hit_deadline = hit_deadline || error.hit_deadline;
    if (error.retry_after_s) note_retry(Seconds(*error.retry_after_s));
    move_on(ShortReason(error) + (error.message.empty() ? "" : ": " + error.message));
  }

  ModelError unavailable{.kind = ModelErrorKind::kUnavailable};
  unavailable.message = entries_.empty() ? "no model configured"
                                         : "no model could answer: " + reasons;
  if (soonest_retry) unavailable.retry_after_s = ToSeconds(*soonest_retry);
  unavailable.hit_deadline = hit_deadline;
  return MakeUnexpected(std::move(unavailable));
}

}  // namespace reagent
