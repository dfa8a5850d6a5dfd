#include "mock_replies.h"

#include "reagent/core/json.h"

namespace reagent::mockllm {
namespace {

using nlohmann::json;

constexpr int64_t kBytesPerToken = 4;
constexpr size_t kArgumentChunkBytes = 12;

std::string Event(const json& chunk) { return "data: " + DumpJson(chunk) + "\n\n"; }

// The fields every chunk of one reply shares.
json ChunkHeader(const ReplyContent& r) {
  return {{"id", r.id}, {"object", "chat.completion.chunk"}, {"created", r.created},
          {"model", r.model}, {"system_fingerprint", "fp_mockllm"}};
}

json Chunk(const ReplyContent& r, json delta, json finish_reason = nullptr) {
  json chunk = ChunkHeader(r);
  chunk["choices"] = json::array({{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", nullptr},
                                   {"finish_reason", std::move(finish_reason)}}});
  return chunk;
}

json UsageJson(const Usage& u) {
  return {{"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.total_tokens()},
          {"prompt_tokens_details", {{"cached_tokens", u.cached_tokens}}}};
}

// Splits text into pieces of `chars` characters without cutting a UTF-8 sequence.
std::vector<std::string> Pieces(const std::string& text, size_t chars) {
  std::vector<std::string> out;
  size_t start = 0, count = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    bool boundary = i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!boundary) continue;
    if (count == chars || (i == text.size() && i > start)) {
      out.push_back(text.substr(start, i - start));
      start = i;
      count = 0;
    }
    ++count;
  }
  return out;
}

}  // namespace

std::string RandomAlnum(Random& random, size_t n) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    out += kAlphabet[static_cast<size_t>(random.Uniform() * kAlphabet.size()) % kAlphabet.size()];
  }
  return out;
}

std::string FinishReason(const ReplyContent& reply) {
  return reply.tool_calls.empty() ? "stop" : "tool_calls";
}

json CompletionBody(const ReplyContent& r) {
  json message = {{"role", "assistant"}, {"content", r.content}, {"refusal", nullptr}};
  if (!r.tool_calls.empty()) {
    message["tool_calls"] = r.tool_calls;
    if (r.content.empty()) message["content"] = nullptr;
  }
  return {{"id", r.id},
          {"object", "chat.completion"},
          {"created", r.created},
          {"model", r.model},
          {"system_fingerprint", "fp_mockllm"},
          {"choices", json::array({{{"index", 0}, {"message", std::move(message)}, {"logprobs", nullptr},
                                    {"finish_reason", FinishReason(r)}}})},
          {"usage", UsageJson(r.usage)}};
}

std::vector<std::string> StreamEvents(const ReplyContent& r, size_t chunk_chars, bool include_usage) {
  std::vector<std::string> events;
  events.push_back(Event(Chunk(r, {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}})));
  for (const std::string& piece : Pieces(r.content, std::max<size_t>(1, chunk_chars))) {
    events.push_back(Event(Chunk(r, {{"content", piece}})));
  }
  for (size_t i = 0; i < r.tool_calls.size(); ++i) {
    const ToolCall& c = r.tool_calls[i];
    events.push_back(Event(Chunk(
        r, {{"tool_calls", json::array({{{"index", i}, {"id", c.id}, {"type", "function"},
                                         {"function", {{"name", c.name}, {"arguments", ""}}}}})}})));
    for (size_t pos = 0; pos < c.arguments.size(); pos += kArgumentChunkBytes) {
      events.push_back(Event(Chunk(
          r, {{"tool_calls", json::array({{{"index", i},
                                           {"function", {{"arguments", c.arguments.substr(pos, kArgumentChunkBytes)}}}}})}})));
    }
  }
  events.push_back(Event(Chunk(r, json::object(), FinishReason(r))));
  if (include_usage) {
    json usage_chunk = ChunkHeader(r);
    usage_chunk["choices"] = json::array();
    usage_chunk["usage"] = UsageJson(r.usage);
    events.push_back(Event(usage_chunk));
  }
  events.push_back("data: [DONE]\n\n");
  return events;
}

std::string ErrorBody(const std::string& message, const std::string& type, const std::string& code) {
  json error = {{"message", message}, {"type", type}, {"param", nullptr},
                {"code", code.empty() ? json(nullptr) : json(code)}};
  return DumpJson(json{{"error", std::move(error)}}, 2) + "\n";
}

std::string ErrorTypeFor(int status) {
  switch (status) {
    case 401: return "invalid_request_error";
    case 429: return "requests";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

int64_t EstimatePromptTokens(const json& body) {
  auto it = body.find("messages");
  std::string text = it == body.end() ? "" : DumpJson(*it);
  return EstimateTextTokens(text);
}

int64_t EstimateTextTokens(const std::string& text) {
  return (static_cast<int64_t>(text.size()) + kBytesPerToken - 1) / kBytesPerToken;
}

}  // namespace reagent::mockllm
