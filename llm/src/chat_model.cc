#include "reagent/llm/chat_model.h"

namespace reagent {

nlohmann::json ToolsJson(const std::vector<ToolSpec>& tools) {
  if (tools.empty()) return nullptr;
  nlohmann::json out = nlohmann::json::array();
  for (const ToolSpec& t : tools) {
    out.push_back({{"type", "function"},
                   {"function", {{"name", t.name}, {"description", t.description},
                                 {"parameters", t.parameters}}}});
  }
  return out;
}

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
