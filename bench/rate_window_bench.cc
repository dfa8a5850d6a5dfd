// Pacing learned from the provider's headers against a short window: a provider that allows
// 10 requests per 5 s (a sliding window; every reply carries x-ratelimit-limit/remaining/
// reset-requests, a 429 carries retry-after), and a batch that configures no pacing at all.
// Three clients in the same run, each through the real resilience stack and real HTTP to the
// real mock server (what `reagent mock-llm --rpm 10 --rate-window 5` runs):
//
//   learned window  reagent's defaults: the limit and its window are learned from the headers
//   60 s assumed    the same, but learned limits counted per minute (the behaviour before the
//                   window was inferred)
//   retry only      no client-side pacing: 429s are retried, honouring retry-after
//
// Time is scaled (one real second is kTimeScale simulated seconds; server and clients share
// the clock), so the minutes of the 60-s client run in seconds. Reported per client: elapsed
// simulated time, throughput as a share of the window's capacity (2 requests/s), 429s the
// server sent, and failed calls. Target: learned ≥ 0.7 of capacity with fewer 429s than retry
// only.
//
//   build/release/bench/rate_window_bench                 # 60 calls per client
//   build/release/bench/rate_window_bench --calls=200
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "reagent/llm/openai_chat_model.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/mockllm/mock_llm_server.h"
#include "time_scaled.h"

namespace reagent {
namespace {

constexpr double kTimeScale = 5;
constexpr int64_t kLimit = 10;            // requests per window
constexpr double kWindowS = 5;            // the provider's window
constexpr double kCapacityPerS = kLimit / kWindowS;
constexpr int kWorkers = 4;               // `reagent batch`'s default -j
int g_calls = 60;

using bench::ScaledClock;

ScaledClock& Scaled() {
  static ScaledClock clock(kTimeScale);
  return clock;
}

enum class Client { kLearned, kAssumedMinute, kRetryOnly };
const char* Name(Client c) {
  switch (c) {
    case Client::kLearned: return "learned window";
    case Client::kAssumedMinute: return "60 s assumed";
    case Client::kRetryOnly: return "retry only";
  }
  return "?";
}

struct Row {
  Client client;
  double elapsed_s = 0;
  int ok = 0, failed = 0;
  int64_t http_429 = 0, requests = 0;
};
std::vector<Row> g_rows;

void BM_RateWindow(benchmark::State& state) {
  const Client client = static_cast<Client>(state.range(0));
  for (auto _ : state) {
    mockllm::MockLlmServer server(mockllm::MockLlmOptions{
        .rpm = kLimit, .rate_window = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(kWindowS)),
        .threads = kWorkers + 4, .clock = &Scaled()});
    if (Status s = server.Start(); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    OpenAIChatModelOptions mo;
    mo.model = "gpt-4.1-mini";
    mo.base_url = server.base_url();
    mo.api_key_env = "REAGENT_BENCH_NO_KEY";
    mo.clock = &Scaled();
    auto http = OpenAIChatModel::Create(mo);
    if (!http.ok()) {
      state.SkipWithError(http.status().ToString().c_str());
      return;
    }
    ResilienceOptions ro;
    // A whole window of waiting is normal here; the default 60 s limits stay as they are.
    ro.retry.max_attempts = 8;
    ro.retry.budget_ratio = 1;
    ro.limiter.max_concurrency = kWorkers;
    if (client == Client::kAssumedMinute) ro.limiter.infer_window_from_headers = false;
    if (client == Client::kRetryOnly) ro.use_limiters = false;
    SeededRandom random(7);
    auto chain = MakeResilientModel({{.model = std::shared_ptr<ChatModel>(std::move(*http))}}, ro, Scaled(), random);
    if (!chain.ok()) {
      state.SkipWithError(chain.status().ToString().c_str());
      return;
    }
    std::atomic<int> next{0}, ok{0}, failed{0};
    const TimePoint start = Scaled().Now();
    auto worker = [&] {
      for (int i; (i = next.fetch_add(1)) < g_calls;) {
        ChatRequest req;
        req.messages = {Message::System("You label support tickets."),
                        Message::User("Label ticket #" + std::to_string(i) + ": the invoice is wrong.")};
        req.max_tokens = 16;
        ((*chain)->Complete(req).ok() ? ok : failed)++;
      }
    };
    std::vector<std::thread> threads;
    for (int w = 0; w < kWorkers; ++w) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    Row row{client, ToSeconds(Scaled().Now() - start), ok.load(), failed.load()};
    const auto counters = server.counters();
    row.http_429 = counters.rate_limited;
    row.requests = counters.requests;
    server.Stop();
    state.counters["elapsed_s"] = row.elapsed_s;
    state.counters["of_capacity"] = row.ok / row.elapsed_s / kCapacityPerS;
    state.counters["http_429"] = static_cast<double>(row.http_429);
    state.counters["failed"] = row.failed;
    g_rows.push_back(row);
  }
}

void PrintTable() {
  std::printf("\nUnpaced batch of %d calls, %d in flight, against %lld requests per %.0f s (capacity %.1f/s), "
              "simulated time at %gx\n\n",
              g_calls, kWorkers, static_cast<long long>(kLimit), kWindowS, kCapacityPerS, kTimeScale);
  std::printf("| client | elapsed (simulated) | share of capacity | 429s | requests | failed |\n|---|---:|---:|---:|---:|---:|\n");
  for (const Row& r : g_rows) {
    std::printf("| %s | %.1f s | %.2f | %lld | %lld | %d |\n", Name(r.client), r.elapsed_s,
                r.ok / r.elapsed_s / kCapacityPerS, static_cast<long long>(r.http_429),
                static_cast<long long>(r.requests), r.failed);
  }
}

void Register() {
  for (int c = 0; c < 3; ++c) {
    benchmark::RegisterBenchmark("BM_RateWindow", BM_RateWindow)->Arg(c)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
  }
}

}  // namespace
}  // namespace reagent

int main(int argc, char** argv) {
  return reagent::bench::RunWithCallsFlag(argc, argv, reagent::g_calls, reagent::Register, reagent::PrintTable);
}
