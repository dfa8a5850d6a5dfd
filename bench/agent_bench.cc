// Per-step overhead of the agent loop with a model that answers instantly: everything the
// agent itself does per step — prompt building and exact token counting, the budget, the
// ReAct parser, the tool call, sanitizing and spotlighting the observation, events, and the
// SQLite step commit (WAL, synchronous=NORMAL) — for 10- and 50-step turns.
//
//   build/release/bench/agent_bench --benchmark_counters_tabular=true
//
// us_per_step should stay flat from 10 to 50 steps (no work grows with the turn's length
// beyond copying the prompt), and peak_rss_mb small. The in-memory variant (memory:1) runs
// the same turn without SQLite, which separates the agent's own cost from the commit's.
// Run one configuration per process (--benchmark_filter) for a peak RSS of that
// configuration alone; start_rss_mb is the process and its libraries, setup_rss_mb the peak
// once the tokenizer, sanitizer and store are loaded.
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "agent_script.h"

#include "reagent/agent/agent.h"
#include "reagent/core/random.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/llm/scripted_model.h"
#include "reagent/session/in_memory_session_store.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tokenizer/token_counter.h"
#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

using bench::kAction;
using bench::kFinal;
using bench::kObservation;

double CurrentRssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // in kB
  }
  return 0;
}

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The fixed parts shared by every iteration: store, sanitizer, tools.
struct Bench {
  Bench() {
    start_rss_mb = CurrentRssMb();
    dir = std::filesystem::temp_directory_path() / ("reagent_agent_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(*OpenSqliteSessionStore(
        {.path = (dir / "bench.db").string(),
         .store = {.max_sessions = 1000000, .max_requests_per_window = 0}},
        SystemClock::Default()));
    memory_store = MakeInMemorySessionStore({.max_sessions = 1000000, .max_requests_per_window = 0},
                                            SystemClock::Default());
    sanitizer = *Sanitizer::Create();
    tools = std::make_shared<ToolRegistry>();
    (void)tools->Register(MakeTool(
        {.name = "lookup",
         .description = "Looks facts up",
         .parameters = {{"type", "object"}, {"properties", {{"q", {{"type", "string"}}}}}},
         .limits = {.timeout = Duration::zero()}},
        [](const nlohmann::json&, const ToolContext&) { return ToolResult::Text(kObservation); }));
    // Load the tokenizer's rank table and compile the sanitizer's rules before measuring
    // memory: what every process using them pays once, independent of turns.
    (void)TokenCounter::ForModel("gpt-4.1").Count("warm up");
    (void)sanitizer->Scan("warm up", TextSource::kTool);
    setup_rss_mb = PeakRssMb();
  }
  ~Bench() {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  std::shared_ptr<SessionStore> store;         // SQLite file, WAL, synchronous=NORMAL
  std::shared_ptr<SessionStore> memory_store;  // to separate the agent's own cost from SQLite's
  std::shared_ptr<const Sanitizer> sanitizer;
  std::shared_ptr<ToolRegistry> tools;
  double start_rss_mb = 0;  // the process and its libraries, before any of reagent's tables
  double setup_rss_mb = 0;  // peak RSS once the shared parts are loaded
};

Bench& Shared() {
  static Bench b;
  return b;
}

void BM_AgentTurn(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  Bench& b = Shared();
  SessionStore& store = state.range(1) == 0 ? *b.store : *b.memory_store;
  state.SetLabel(state.range(1) == 0 ? "sqlite" : "in-memory");
  SeededRandom random(1);
  int64_t total_steps = 0;
  double run_us = 0;  // time inside Agent::Run only
  for (auto _ : state) {
    state.PauseTiming();
    // A fresh scripted model per turn, not keeping copies of the requests (a test double's
    // bookkeeping is not the agent's cost).
    nlohmann::json replies = nlohmann::json::array();
    for (int i = 0; i + 1 < steps; ++i) {
      replies.push_back({{"content", kAction}, {"usage", {{"prompt_tokens", 200}, {"completion_tokens", 30}}}});
    }
    replies.push_back({{"content", kFinal}, {"usage", {{"prompt_tokens", 200}, {"completion_tokens", 20}}}});
    std::shared_ptr<ChatModel> model = std::move(*ScriptedModel::Create("gpt-4.1", replies, SystemClock::Default(),
                                                                          {.record_requests = false}));
    auto chain = *MakeResilientModel({{.model = model}}, {}, SystemClock::Default(), random);
    auto agent = std::move(*Agent::Create({.max_steps = steps},
                                          {.model = chain, .model_name = "gpt-4.1",
                                           .sanitizer = b.sanitizer,
                                           .sessions = state.range(1) == 0 ? b.store : b.memory_store,
                                           .tools = b.tools}));
    const std::string session = store.Create("bench")->id;
    state.ResumeTiming();

    const auto t0 = std::chrono::steady_clock::now();
    auto r = agent->Run(session, "How many people live in Hanoi?");
    run_us += std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();

    state.PauseTiming();
    if (!r.ok() || r->stop_reason != StopReason::kFinalAnswer || r->steps != steps) {
      state.SkipWithError("turn did not complete as scripted");
      break;
    }
    total_steps += r->steps;
    (void)store.Delete(session);
    state.ResumeTiming();
  }
  state.counters["us_per_step"] = total_steps > 0 ? run_us / static_cast<double>(total_steps) : 0;
  state.counters["peak_rss_mb"] = PeakRssMb();
  state.counters["setup_rss_mb"] = b.setup_rss_mb;
  state.counters["start_rss_mb"] = b.start_rss_mb;
}

}  // namespace
}  // namespace reagent

BENCHMARK(reagent::BM_AgentTurn)
    ->ArgNames({"steps", "memory"})
    ->Args({10, 0})->Args({50, 0})->Args({10, 1})->Args({50, 1})->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_MAIN();
