// Model-layer costs: SSE parsing + stream assembly throughput, header parsing, and a full
// round trip of the real client against the mock server on loopback (keep-alive).
#include <benchmark/benchmark.h>

#include "reagent/llm/http_error.h"
#include "reagent/llm/http_headers.h"
#include "reagent/llm/openai_chat_model.h"
#include "reagent/llm/openai_wire.h"
#include "reagent/llm/sse_parser.h"
#include "reagent/mockllm/mock_llm_server.h"

namespace reagent {
namespace {

std::string MakeStream(int chunks) {
  std::string s;
  for (int i = 0; i < chunks; ++i) {
    s += "data: {\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4.1\","
         "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"token \"},\"finish_reason\":null}]}\n\n";
  }
  s += "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
  s += "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":500}}\n\ndata: [DONE]\n\n";
  return s;
}

void BM_SseParseAndAssemble(benchmark::State& state) {
  const std::string stream = MakeStream(500);
  const size_t piece = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    StreamAssembler assembler("gpt-4.1");
    SseParser parser([&](const SseEvent& e) {
      if (e.data != "[DONE]") assembler.Apply(e.data, {});
      return true;
    });
    for (size_t pos = 0; pos < stream.size(); pos += piece) parser.Feed(std::string_view(stream).substr(pos, piece));
    benchmark::DoNotOptimize(assembler.Take());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(BM_SseParseAndAssemble)->Arg(16)->Arg(1024)->Arg(16384);

void BM_ClassifyRateLimitResponse(benchmark::State& state) {
  HttpHeaders headers{{"retry-after-ms", "850"}, {"x-ratelimit-limit-requests", "500"},
                      {"x-ratelimit-remaining-requests", "0"}, {"x-ratelimit-reset-requests", "6m0s"},
                      {"x-ratelimit-limit-tokens", "30000"}, {"x-ratelimit-remaining-tokens", "29000"},
                      {"x-ratelimit-reset-tokens", "2ms"}};
  const std::string body =
      R"({"error":{"message":"Rate limit reached for gpt-4.1 on requests per min","type":"requests","code":"rate_limit_exceeded"}})";
  WallTime now{std::chrono::seconds(1735689600)};
  for (auto _ : state) benchmark::DoNotOptimize(ModelErrorFromHttp(429, headers, body, "gpt-4.1", now));
}
BENCHMARK(BM_ClassifyRateLimitResponse);

struct LoopbackEnv {
  mockllm::MockLlmServer server;
  std::unique_ptr<OpenAIChatModel> model;
  LoopbackEnv() {
    (void)server.Start();
    model = std::move(*OpenAIChatModel::Create({.model = "gpt-4.1", .base_url = server.base_url(), .api_key = ""}));
  }
};

void BM_LoopbackRoundTrip(benchmark::State& state) {
  LoopbackEnv env;
  ChatRequest req;
  req.messages = {Message::System("Tools: calculator"), Message::User("What is 17*23?")};
  const bool stream = state.range(0) != 0;
  int failures = 0;
  for (auto _ : state) {
    ChatResult r = stream ? env.model->Stream(req, {}) : env.model->Complete(req);
    failures += r.ok() ? 0 : 1;
  }
  state.counters["failures"] = failures;
  state.counters["connections"] = static_cast<double>(env.server.counters().connections);
}
BENCHMARK(BM_LoopbackRoundTrip)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace reagent

BENCHMARK_MAIN();
