// Goodput of reagent's resilience stack against a rate-limited, failing, sometimes-down
// provider, compared in the same run with the naive approach production batches start with
// (fixed 1-2-4-8-16 s backoff, no pacing, no breaker, no fallback).
//
// The provider is the real mock server (mockllm::MockLlmServer, what `reagent mock-llm`
// runs) on 127.0.0.1 with sliding-window RPM/TPM limits, injected 5xx and an outage window; the
// clients are real OpenAIChatModels over HTTP. Time is scaled: server and clients share a
// ScaledClock on which one real second is one simulated minute, so a 60 s rate window, a 60 s
// breaker cool-down and a 16 s backoff all happen for real, only 60× faster. Every number
// below is in simulated time.
//
//   build/release/bench/llm_goodput_bench                 # the whole table (< 2 minutes)
//   build/release/bench/llm_goodput_bench --calls=400     # a quicker, noisier run
//
// Per run: `calls` requests arrive as a Poisson process at ρ·R per minute and are served by 64
// worker threads. Reported: goodput = successful calls per minute ÷ R; 429s per call (429
// responses the server sent ÷ calls, an upper bound on the share of calls that saw one);
// failed calls; attempts per call (requests the servers received ÷ calls); p50/p99 latency
// from arrival to answer; and, for the outage run, the share of calls arriving during the
// outage that were answered.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "reagent/llm/openai_chat_model.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/mockllm/mock_llm_server.h"
#include "time_scaled.h"

namespace reagent {
namespace {

// One real second is this many simulated seconds.
constexpr double kTimeScale = 60;
// Provider limits (per simulated minute): R requests, and tokens with 25 % headroom over what
// R requests of this benchmark's size pre-count (prompt bytes / 4 + max_tokens ≈ 80).
constexpr int64_t kRpm = 300;
constexpr int64_t kTpm = kRpm * 100;
constexpr int64_t kMaxTokens = 64;
constexpr int kWorkers = 64;
// Simulated model latency: 800 ms + U[0, 400) ms.
constexpr int64_t kLatencyMs = 800;
constexpr int64_t kJitterMs = 400;

int g_calls = 1000;

using bench::ScaledClock;

ScaledClock& Clock60() {
  static ScaledClock clock(kTimeScale);
  return clock;
}

// The seeds' retry loop: up to five retries after 1, 2, 4, 8, 16 s, whatever the server says.
class NaiveRetryModel final : public ChatModel {
 public:
  NaiveRetryModel(std::shared_ptr<ChatModel> inner, Clock& clock)
      : inner_(std::move(inner)), clock_(clock) {}
  ChatResult Complete(const ChatRequest& request) override {
    static constexpr double kWaits[] = {1, 2, 4, 8, 16};
    for (int attempt = 0;; ++attempt) {
      ChatResult r = inner_->Complete(request);
      if (r.ok()) {
        r->attempts = attempt + 1;
        return r;
      }
      if (!r.error().retryable() || attempt == 5) return r;
      clock_.SleepFor(Seconds(kWaits[attempt]));
    }
  }
  std::string name() const override { return inner_->name(); }

 private:
  std::shared_ptr<ChatModel> inner_;
  Clock& clock_;
};

struct Provider {
  std::unique_ptr<mockllm::MockLlmServer> server;
  std::shared_ptr<ChatModel> client;
};

Provider StartProvider(double fail_rate, std::optional<std::pair<double, double>> outage,
                       uint64_t seed, const std::string& model) {
  Provider p;
  p.server = std::make_unique<mockllm::MockLlmServer>(mockllm::MockLlmOptions{
      .rpm = kRpm, .tpm = kTpm, .fail_rate = fail_rate, .latency_ms = kLatencyMs,
      .jitter_ms = kJitterMs, .outage = outage, .seed = seed, .threads = kWorkers + 8,
      .clock = &Clock60()});
  if (Status s = p.server->Start(); !s.ok()) {
    std::fprintf(stderr, "mock server: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  // Named, not a temporary: GCC 12 at -O3 reports a temporary's string fields as maybe
  // uninitialized.
  OpenAIChatModelOptions options;
  options.model = model;
  options.base_url = p.server->base_url();
  options.api_key_env = "REAGENT_BENCH_NO_KEY";
  options.max_idle_handles = kWorkers;
  options.clock = &Clock60();
  auto client = OpenAIChatModel::Create(options);
  if (!client.ok()) {
    std::fprintf(stderr, "client: %s\n", client.status().ToString().c_str());
    std::exit(1);
  }
  p.client = std::shared_ptr<ChatModel>(std::move(*client));
  return p;
}

struct RunResult {
  int calls = 0, ok = 0, failed = 0;
  int64_t requests = 0, http_429 = 0;
  double elapsed_s = 0;
  double p50_s = 0, p99_s = 0;
  int outage_calls = 0, outage_served = 0;
  std::map<std::string, int> failures;  // final error kind → calls
};

// Offers `calls` requests at rate_per_s (Poisson) to `model` from kWorkers threads.
RunResult Drive(ChatModel& model, double rate_per_s, uint64_t seed,
                std::optional<std::pair<double, double>> outage) {
  ScaledClock& clock = Clock60();
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> gap(rate_per_s);
  const TimePoint start = clock.Now();
  std::vector<double> arrival(g_calls);  // seconds after start
  double t = 0;
  for (double& a : arrival) a = (t += gap(rng));
  // Poisson bursts, but stretched so that exactly `calls` arrive in calls / rate: the offered
  // load is ρ·R in every run, not ρ·R ± sampling noise.
  const double stretch = (g_calls / rate_per_s) / t;
  for (double& a : arrival) a *= stretch;

  std::vector<double> latency(g_calls, -1);
  std::vector<char> served(g_calls, 0);
  std::vector<std::string> failure(g_calls);
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i; (i = next.fetch_add(1)) < g_calls;) {
      const TimePoint due = start + Seconds(arrival[i]);
      if (TimePoint now = clock.Now(); now < due) clock.SleepFor(due - now);
      ChatRequest req;
      req.messages.push_back(Message::System("You summarise documents in one line."));
      req.messages.push_back(
          Message::User("Summarise document #" + std::to_string(i) + " of the nightly batch."));
      req.max_tokens = kMaxTokens;
      ChatResult r = model.Complete(req);
      served[i] = r.ok();
      if (!r.ok()) failure[i] = std::string(ModelErrorKindName(r.error().kind));
      latency[i] = ToSeconds(clock.Now() - due);
    }
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWorkers; ++w) threads.emplace_back(worker);
  for (auto& th : threads) th.join();

  RunResult out;
  out.calls = g_calls;
  out.elapsed_s = ToSeconds(clock.Now() - start);
  std::vector<double> ok_latency;
  for (int i = 0; i < g_calls; ++i) {
    if (served[i]) {
      ++out.ok;
      ok_latency.push_back(latency[i]);
    } else {
      ++out.failures[failure[i]];
    }
    if (outage && arrival[i] >= outage->first && arrival[i] < outage->second) {
      ++out.outage_calls;
      out.outage_served += served[i];
    }
  }
  out.failed = out.calls - out.ok;
  std::sort(ok_latency.begin(), ok_latency.end());
  auto pct = [&](double q) {
    if (ok_latency.empty()) return 0.0;
    return ok_latency[std::min(ok_latency.size() - 1,
                               static_cast<size_t>(q * static_cast<double>(ok_latency.size())))];
  };
  out.p50_s = pct(0.50);
  out.p99_s = pct(0.99);
  return out;
}

struct Row {
  std::string stack, load;
  double rho = 0;
  RunResult r;
};
std::mutex g_rows_mu;
std::vector<Row> g_rows;

// args: rho×100, fail-rate×1000, stack (0 reagent, 1 naive), outage (0/1)
void BM_Goodput(benchmark::State& state) {
  const double rho = static_cast<double>(state.range(0)) / 100;
  const double fail_rate = static_cast<double>(state.range(1)) / 1000;
  const bool naive = state.range(2) == 1;
  const bool with_outage = state.range(3) == 1;
  const uint64_t seed = static_cast<uint64_t>(state.range(0) * 7 + state.range(1) * 13 + 1);
  const double rate_per_s = rho * static_cast<double>(kRpm) / 60;
  for (auto _ : state) {
    // The outage starts a fifth into the run and lasts two fifths of it.
    std::optional<std::pair<double, double>> outage;
    const double run_s = g_calls / rate_per_s;
    if (with_outage) outage = std::pair{0.2 * run_s, 0.6 * run_s};
    Provider primary = StartProvider(fail_rate, outage, seed, "gpt-4.1");
    Provider backup = StartProvider(fail_rate, std::nullopt, seed + 1, "deepseek-chat");
    SeededRandom random(seed);
    std::shared_ptr<ChatModel> model;
    if (naive) {
      model = std::make_shared<NaiveRetryModel>(primary.client, Clock60());
    } else {
      // The concurrency cap is raised to the worker count: at 10 (the default) and ~2 s per
      // call, the cap itself would hold throughput near 300/min, measuring the cap, not pacing.
      RateLimiterOptions limits{.requests_per_period = kRpm, .tokens_per_period = kTpm,
                                .max_concurrency = kWorkers};
      std::vector<ResilientModelSpec> specs = {{.model = primary.client, .limits = limits}};
      if (with_outage) specs.push_back({.model = backup.client, .limits = limits});
      auto chain = MakeResilientModel(std::move(specs), {}, Clock60(), random);
      if (!chain.ok()) {
        state.SkipWithError(chain.status().ToString().c_str());
        return;
      }
      model = *chain;
    }
    // The outage window is measured from the primary server's start, as the mock measures it.
    RunResult r = Drive(*model, rate_per_s, seed, outage);
    const auto a = primary.server->counters();
    const auto b = backup.server->counters();
    r.requests = a.requests + b.requests;
    r.http_429 = a.rate_limited + b.rate_limited;
    primary.server->Stop();
    backup.server->Stop();

    const double goodput = r.ok / (r.elapsed_s / 60) / kRpm;
    state.counters["rho"] = rho;
    state.counters["goodput_over_R"] = goodput;
    state.counters["429_per_call"] = static_cast<double>(r.http_429) / r.calls;
    state.counters["failed"] = r.failed;
    state.counters["attempts_per_call"] = static_cast<double>(r.requests) / r.calls;
    state.counters["p50_s"] = r.p50_s;
    state.counters["p99_s"] = r.p99_s;
    if (with_outage) {
      state.counters["outage_served"] =
          r.outage_calls ? static_cast<double>(r.outage_served) / r.outage_calls : 0;
    }
    std::string load = fail_rate > 0 ? "fail 5%" : "clean";
    if (with_outage) load = "outage 40% + fallback";
    std::lock_guard lock(g_rows_mu);
    g_rows.push_back({naive ? "naive" : "reagent", load, rho, r});
  }
}

void Register() {
  for (int fail : {0, 50}) {
    for (int rho : {50, 80, 90, 120}) {
      for (int naive : {0, 1}) {
        benchmark::RegisterBenchmark("BM_Goodput", BM_Goodput)
            ->Args({rho, fail, naive, 0})
            ->Iterations(1)
            ->Unit(benchmark::kSecond)
            ->UseRealTime();
      }
    }
  }
  for (int naive : {0, 1}) {
    benchmark::RegisterBenchmark("BM_Goodput", BM_Goodput)
        ->Args({80, 0, naive, 1})
        ->Iterations(1)
        ->Unit(benchmark::kSecond)
        ->UseRealTime();
  }
}

void PrintTable() {
  std::printf("\nGoodput table (R = %lld req/min, T = %lld tok/min, %d calls per run, %d workers, "
              "simulated time at %gx)\n\n",
              static_cast<long long>(kRpm), static_cast<long long>(kTpm), g_calls, kWorkers,
              kTimeScale);
  std::printf("| load | rho | stack | goodput/R | target | 429s/call | failed | attempts/call | "
              "p50 s | p99 s | served in outage | failures by kind |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& row : g_rows) {
    const RunResult& r = row.r;
    const double goodput = r.ok / (r.elapsed_s / 60) / kRpm;
    char target[32] = "-";
    if (row.rho <= 0.9) std::snprintf(target, sizeof target, ">= %.3f", 0.95 * row.rho);
    char outage[32] = "-";
    if (r.outage_calls) {
      std::snprintf(outage, sizeof outage, "%.1f %% (%d/%d)",
                    100.0 * r.outage_served / r.outage_calls, r.outage_served, r.outage_calls);
    }
    std::string kinds;
    for (const auto& [kind, n] : r.failures) {
      kinds += (kinds.empty() ? "" : ", ") + kind + " " + std::to_string(n);
    }
    std::printf("| %s | %.1f | %s | %.3f | %s | %.4f | %d | %.3f | %.2f | %.2f | %s | %s |\n",
                row.load.c_str(), row.rho, row.stack.c_str(), goodput, target,
                static_cast<double>(r.http_429) / r.calls, r.failed,
                static_cast<double>(r.requests) / r.calls, r.p50_s, r.p99_s, outage,
                kinds.empty() ? "-" : kinds.c_str());
  }
}

}  // namespace
}  // namespace reagent

int main(int argc, char** argv) {
  return reagent::bench::RunWithCallsFlag(argc, argv, reagent::g_calls, reagent::Register, reagent::PrintTable);
}
