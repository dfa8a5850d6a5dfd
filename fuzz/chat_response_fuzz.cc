// A whole (non-streamed) chat-completions body and an error body, as a provider may send
// them: ParseChatResponse and ModelErrorFromErrorObject never crash, and what they return is
// within bounds (usage non-negative, cached within the prompt, every tool call with an id).
#include "fuzz_check.h"
#include "reagent/core/json.h"
#include "reagent/llm/http_error.h"
#include "reagent/llm/openai_wire.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  const std::string_view text = fuzz::AsText(data, size);
  auto r = ParseChatResponse(text, "m");
  if (r.ok()) {
    FUZZ_CHECK(r->usage.prompt_tokens >= 0 && r->usage.prompt_tokens <= kMaxReportedTokens);
    FUZZ_CHECK(r->usage.completion_tokens >= 0 && r->usage.completion_tokens <= kMaxReportedTokens);
    FUZZ_CHECK(r->usage.cached_tokens >= 0 && r->usage.cached_tokens <= r->usage.prompt_tokens);
    for (const ToolCall& c : r->tool_calls) FUZZ_CHECK(!c.id.empty());
  } else {
    FUZZ_CHECK(r.error().message.size() < 2000);
  }
  if (auto json = ParseJson(text); json.ok()) {
    const ModelError e = ModelErrorFromErrorObject(*json, "m");
    FUZZ_CHECK(e.http_status == 0 || (e.http_status >= 400 && e.http_status < 600));
  }
  return 0;
}
