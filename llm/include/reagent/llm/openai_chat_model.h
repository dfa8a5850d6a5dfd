// OpenAIChatModel: a ChatModel speaking the OpenAI chat-completions protocol over HTTP
// (libcurl): OpenAI itself and the compatible servers (Azure-style gateways, vLLM, llama.cpp
// server, Ollama, DeepSeek, OpenRouter, LiteLLM). See llm/README.md for the quirks handled.
//
//   auto model = OpenAIChatModel::Create({.model = "gpt-4.1-mini"});   // key from OPENAI_API_KEY
//   ChatResult r = (*model)->Complete(request);
//
// Connections are reused: each call borrows a libcurl handle from a pool owned by the model
// (HTTP/1.1 keep-alive), so sequential calls from any thread share connections and concurrent
// calls get a handle each. The API key is registered with RegisterSecret and never appears in
// logs or errors. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/chat_model.h"
#include "reagent/llm/openai_wire.h"

namespace reagent {

struct OpenAIChatModelOptions {
  // The model requests go to when ChatRequest::model is empty. Required.
  std::string model;
  // "https://api.openai.com/v1", "http://127.0.0.1:11434/v1", ... Empty: $OPENAI_BASE_URL,
  // else OpenAI. "/chat/completions" is appended.
  std::string base_url;
  // Environment variable holding the API key. Unset or empty: no Authorization header (local
  // servers need none).
  std::string api_key_env = "OPENAI_API_KEY";
  // A key given directly wins over the environment (for embedders holding their own secrets).
  std::optional<std::string> api_key;
  // Sent with every request ("api-key" for Azure, "HTTP-Referer" for OpenRouter, ...). Values
  // of headers whose name mentions key, auth or token are registered as secrets.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  // TCP + TLS connect limit. Default 10 s.
  Duration connect_timeout = Seconds(10);
  // Whole-request limit (also for streams: a slow stream ends with kTimeout). A request's
  // deadline shortens it. Default 120 s: long enough for big completions, short enough that a
  // hung connection does not eat the agent's wall-clock budget.
  Duration request_timeout = Seconds(120);
  // How often a blocked transfer checks its cancellation token and deadline, besides being
  // woken at once by Cancel(). Default 50 ms.
  Duration poll_interval = std::chrono::milliseconds(50);
  // Bodies larger than this end the call with kMalformedResponse instead of growing memory.
  // Default 32 MiB.
  size_t max_response_bytes = size_t{32} << 20;
  // Idle handles (each keeps its connections) kept for reuse. Default 8.
  size_t max_idle_handles = 8;
  WireOptions wire;
  // Measures latency and deadlines, dates Retry-After. Default: SystemClock::Default().
  Clock* clock = nullptr;
  // Used when the provider reports no usage (older llama.cpp/Ollama streams): prompt tokens of
  // the request and tokens of the reply text. Unset: usage stays 0 in that case.
  std::function<int64_t(const ChatRequest&)> count_prompt_tokens;
  std::function<int64_t(std::string_view)> count_text_tokens;
};

class OpenAIChatModel final : public ChatModel {
 public:
  // Fails with InvalidArgument when model is empty or the base URL is not http(s).
  static Result<std::unique_ptr<OpenAIChatModel>> Create(OpenAIChatModelOptions options);
  ~OpenAIChatModel() override;
  OpenAIChatModel(const OpenAIChatModel&) = delete;
  OpenAIChatModel& operator=(const OpenAIChatModel&) = delete;

  ChatResult Complete(const ChatRequest& request) override;
  // Streams with SSE. A server that ignores "stream" and answers with one JSON body is
  // accepted (the reply arrives as one delta).
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override;
  std::string name() const override;

  // The full endpoint URL, for diagnostics ("http://127.0.0.1:8080/v1/chat/completions").
  const std::string& endpoint() const;
  // Whether an API key was found (never the key itself).
  bool has_api_key() const;

  struct Impl;

 private:
  explicit OpenAIChatModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reagent
