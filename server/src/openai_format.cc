#include "openai_format.h"

#include <cmath>

#include "reagent/core/hex.h"
#include "reagent/core/random.h"

namespace reagent::server {

std::string RetryAfterValue(double seconds) {
  if (!std::isfinite(seconds) || seconds < 1) return "1";
  // A day is the longest wait worth telling a client; more is a bug somewhere else.
  return std::to_string(static_cast<int64_t>(std::ceil(std::min(seconds, 86400.0))));
}

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(body);
  r.body += '\n';
  return r;
}

HttpResponse ErrorResponse(int status, std::string_view type, std::string_view code, std::string message,
                           std::optional<double> retry_after_s) {
  HttpResponse r = JsonResponse(
      status, {{"error", {{"message", std::move(message)}, {"type", type}, {"param", nullptr}, {"code", code}}}});
  if (retry_after_s) r.headers.emplace_back("Retry-After", RetryAfterValue(*retry_after_s));
  return r;
}

Json UsageJson(const Usage& usage) {
  Json j = {{"prompt_tokens", usage.prompt_tokens},
            {"completion_tokens", usage.completion_tokens},
            {"total_tokens", usage.total_tokens()}};
  if (usage.cached_tokens > 0) j["prompt_tokens_details"] = {{"cached_tokens", usage.cached_tokens}};
  return j;
}

Json CompletionJson(const CompletionIds& ids, std::string_view content, std::string_view finish_reason,
                    const Usage& usage, Json reagent) {
  return {{"id", ids.id},
          {"object", "chat.completion"},
          {"created", ids.created},
          {"model", ids.model},
          {"choices", Json::array({{{"index", 0},
                                    {"message", {{"role", "assistant"}, {"content", content}}},
                                    {"logprobs", nullptr},
                                    {"finish_reason", finish_reason}}})},
          {"usage", UsageJson(usage)},
          {"reagent", std::move(reagent)}};
}

Json ChunkJson(const CompletionIds& ids, Json delta, std::optional<std::string_view> finish_reason) {
  Json chunk = {{"id", ids.id}, {"object", "chat.completion.chunk"}, {"created", ids.created}, {"model", ids.model}};
  if (delta.is_null()) {
    chunk["choices"] = Json::array();
  } else {
    Json choice = {{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr}};
    choice["finish_reason"] = finish_reason ? Json(*finish_reason) : Json(nullptr);
    chunk["choices"] = Json::array({std::move(choice)});
  }
  return chunk;
}

std::string SseData(const Json& json) { return "data: " + DumpJson(json) + "\n\n"; }

std::string SseEvent(const Json& json) { return ": reagent " + DumpJson(json) + "\n\n"; }

std::string NewCompletionId() {
  return "chatcmpl-" + HexLower(SecureRandomBytes(12));
}

}  // namespace reagent::server
