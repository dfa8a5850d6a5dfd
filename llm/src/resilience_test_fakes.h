// Test doubles for the resilience layer's unit tests: a ChatModel driven by a lambda, and
// shorthands for scripted replies and errors.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reagent/llm/chat_model.h"

namespace reagent::testing {

// A one-message request.
inline ChatRequest Ask(std::string text = "What is 17*23?") {
  ChatRequest r;
  r.messages.push_back(Message::User(std::move(text)));
  return r;
}

inline ChatResult Reply(std::string content, int64_t prompt = 10, int64_t completion = 5) {
  ChatResponse r;
  r.content = std::move(content);
  r.finish_reason = "stop";
  r.usage.prompt_tokens = prompt;
  r.usage.completion_tokens = completion;
  return r;
}

inline ChatResult Fail(ModelErrorKind kind, int status = 0,
                       std::optional<double> retry_after_s = std::nullopt,
                       std::string code = "") {
  ModelError e;
  e.kind = kind;
  e.http_status = status;
  e.code = std::move(code);
  e.message = "scripted failure";
  e.retry_after_s = retry_after_s;
  return MakeUnexpected(std::move(e));
}

// A ChatModel whose every call runs `handler(request, call_index)`; records the requests and
// whether each came through Complete or Stream. Thread-safe.
class FakeModel final : public ChatModel {
 public:
  using Handler = std::function<ChatResult(const ChatRequest&, int call)>;
  // For Stream: may send deltas before returning (or failing).
  using StreamHandler =
      std::function<ChatResult(const ChatRequest&, const DeltaCallback&, int call)>;

  FakeModel(std::string name, Handler handler)
      : name_(std::move(name)), handler_(std::move(handler)) {}

  // Replies in order; the last one repeats once the list is used up.
  static std::shared_ptr<FakeModel> Script(std::string name, std::vector<ChatResult> replies) {
    auto shared = std::make_shared<std::vector<ChatResult>>(std::move(replies));
    return std::make_shared<FakeModel>(std::move(name), [shared](const ChatRequest&, int call) {
      size_t i = std::min<size_t>(static_cast<size_t>(call), shared->size() - 1);
      return (*shared)[i];
    });
  }

  void set_stream_handler(StreamHandler h) { stream_handler_ = std::move(h); }

  ChatResult Complete(const ChatRequest& request) override {
    int call = Record(request, false);
    return handler_(request, call);
  }
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override {
    int call = Record(request, true);
    if (stream_handler_) return stream_handler_(request, on_delta, call);
    ChatResult r = handler_(request, call);
    if (r.ok() && on_delta) on_delta(ChatDelta{.content = r->content});
    return r;
  }
  std::string name() const override { return name_; }

  int calls() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(requests_.size());
  }
  std::vector<ChatRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  std::vector<bool> streamed() const {
    std::lock_guard lock(mu_);
    return streamed_;
  }

 private:
  int Record(const ChatRequest& request, bool streamed) {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    streamed_.push_back(streamed);
    return static_cast<int>(requests_.size()) - 1;
  }

  std::string name_;
  Handler handler_;
  StreamHandler stream_handler_;
  mutable std::mutex mu_;
  std::vector<ChatRequest> requests_;
  std::vector<bool> streamed_;
};

// Collects the events of a call.
struct EventLog {
  std::vector<ModelEvent> events;
  ModelEventCallback callback() {
    return [this](const ModelEvent& e) { events.push_back(e); };
  }
  int count(ModelEvent::Kind kind) const {
    int n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
};

}  // namespace reagent::testing
