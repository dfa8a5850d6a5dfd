#include "reagent/llm/caching_model.h"

#include <utility>

namespace reagent {

CachingModel::CachingModel(std::shared_ptr<ChatModel> inner, std::shared_ptr<ResponseCache> cache,
                           CachingOptions options)
    : inner_(std::move(inner)), cache_(std::move(cache)), options_(options) {}

ChatResult CachingModel::Complete(const ChatRequest& request) { return Run(request, nullptr); }

ChatResult CachingModel::Stream(const ChatRequest& request, const DeltaCallback& on_delta) {
  return Run(request, &on_delta);
}

ChatResult CachingModel::Run(const ChatRequest& request, const DeltaCallback* on_delta) {
  auto call_inner = [&] {
    return on_delta ? inner_->Stream(request, *on_delta) : inner_->Complete(request);
  };
  if (!IsCacheable(request, options_.allow_nondeterministic)) return call_inner();

  ChatRequest keyed = request;
  if (keyed.model.empty()) keyed.model = inner_->name();
  const std::string key = RequestCacheKey(keyed);
  Result<std::optional<ChatResponse>> fetched = cache_->Fetch(key);
  if (!fetched.ok()) {
    return MakeUnexpected(ModelError{.kind = ModelErrorKind::kUnavailable,
                                     .message = "response cache: " + fetched.status().message(),
                                     .model = keyed.model});
  }
  if (std::optional<ChatResponse>& hit = *fetched) {
    const double saved = hit->usage.cost_usd.value_or(0.0);
    hit->cache_hit = true;
    hit->attempts = 0;
    hit->fallbacks = 0;
    hit->latency = Duration::zero();
    hit->usage = Usage{.cost_usd = 0.0};
    if (request.on_event) {
      request.on_event(ModelEvent{.kind = ModelEvent::Kind::kCacheHit, .model = hit->model,
                                  .reason = "response cache", .saved_cost_usd = saved});
    }
    if (on_delta && *on_delta) {
      if (!hit->content.empty()) (*on_delta)(ChatDelta{.content = hit->content});
      for (size_t i = 0; i < hit->tool_calls.size(); ++i) {
        const ToolCall& call = hit->tool_calls[i];
        (*on_delta)(ChatDelta{.tool_index = static_cast<int>(i), .tool_call_id = call.id,
                              .tool_name = call.name, .tool_arguments = call.arguments});
      }
    }
    return *std::move(hit);
  }
  ChatResult result = call_inner();
  // A fallback answer is not cached: the preferred model should get the next chance.
  if (result.ok() && result->fallbacks == 0) cache_->Put(key, *result);
  return result;
}

}  // namespace reagent
