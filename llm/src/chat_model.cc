#include "reagent/llm/chat_model.h"

namespace reagent {

ChatResult ChatModel::Stream(const ChatRequest& request, const DeltaCallback& on_delta) {
  ChatResult result = Complete(request);
  if (result.ok() && on_delta && !result->content.empty()) {
    ChatDelta delta;
    delta.content = result->content;
    on_delta(delta);
  }
  return result;
}

}  // namespace reagent
