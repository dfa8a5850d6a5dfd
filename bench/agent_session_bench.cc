// Per-step cost of the agent over a long session: 30 turns of 10 or 50 steps each in ONE
// session, against a zero-latency ScriptedModel behind the real resilience stack, with the
// sanitizer, exact token counting, the budget and the SQLite step commit (WAL, NORMAL) or the
// in-memory store. Each turn loads the whole history the earlier turns stored, so any work that
// grows with the history (copying it through the model layers, re-counting or re-scanning
// stored messages) shows up as per-step cost rising from turn 1 to turn 30.
//
//   build/release/bench/agent_session_bench --benchmark_counters_tabular=true
//
// The last configuration gives the model a 16 K-token context window, so from about turn 3 on
// every prompt is trimmed (oldest turns dropped): the prompt stays the same size while the
// history grows.
//
// Counters (µs of Agent::Run per reason/act step):
//   us_step_t1 / _t10 / _t30   turns 1, 10 and 30, wall time (run with --benchmark_repetitions
//                              and take medians: one turn of 10 steps is a millisecond of work)
//   cpu_t1 / cpu_t30           the same in CPU time of the agent's thread (what a loaded,
//                              shared machine disturbs least)
//   t30_over_t1                per-step cost at turn 30 over turn 1 (CPU time)
//   wal_frames_per_step        WAL frames written per step (SQLite only; every page a commit
//                              dirties is one frame), the turn's lease and touch writes included
// A warm-up turn in another session runs first, so turn 1 is not the process's first scan.
//   peak_rss_mb                the process's peak resident memory so far
// Under valgrind's callgrind the run also writes one profile per turn (instructions are not
// disturbed by other processes the way time is): bench/agent_session_instructions.sh reads
// them into instructions per step by turn.
// Only public API is used, so the same file builds against older trees for before/after runs.
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define REAGENT_END_OF(what) CALLGRIND_DUMP_STATS_AT(what)  // a no-op outside callgrind
#else
#define REAGENT_END_OF(what) ((void)(what))
#endif

#include "agent_script.h"

#include "reagent/agent/agent.h"
#include "reagent/core/random.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/llm/scripted_model.h"
#include "reagent/session/in_memory_session_store.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

constexpr int kTurns = 30;

using bench::kAction;
using bench::kFinal;
using bench::kObservation;

double ThreadCpuMicros() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

double PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// The WAL's frame count, read from the wal-index header in the -shm file (mxFrame, offset 16;
// https://www.sqlite.org/walformat.html). A checkpoint that restarts the log sets it back,
// so a turn that saw a restart is left out of the average.
int64_t WalFrames(const std::string& db) {
  std::ifstream shm(db + "-shm", std::ios::binary);
  uint32_t header[5] = {};
  if (!shm.read(reinterpret_cast<char*>(header), sizeof header)) return -1;
  return header[4];
}

void BM_AgentSession(benchmark::State& state) {
  const int steps = static_cast<int>(state.range(0));
  const bool sqlite = state.range(1) == 0;
  const int64_t window = state.range(2);  // 0: the model's own (no trimming in 30 turns)
  state.SetLabel(std::string(sqlite ? "sqlite" : "in-memory") + (window ? ", trimmed to the window" : ""));
  const auto dir = std::filesystem::temp_directory_path() /
                   ("reagent_agent_session_bench_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "bench.db").string();
  const SessionStoreOptions rules{.max_sessions = 1000000, .max_requests_per_window = 0};

  auto sanitizer = std::shared_ptr<const Sanitizer>(*Sanitizer::Create());
  auto tools = std::make_shared<ToolRegistry>();
  int lookups = 0;
  (void)tools->Register(MakeTool(
      {.name = "lookup",
       .description = "Looks facts up",
       .parameters = {{"type", "object"}, {"properties", {{"q", {{"type", "string"}}}}}},
       .limits = {.timeout = Duration::zero()}},
      [&lookups](const nlohmann::json&, const ToolContext&) {
        return ToolResult::Text(std::string(kObservation) + " (result " + std::to_string(++lookups) + ")");
      }));

  std::vector<double> per_step;      // µs per step, by turn
  std::vector<double> cpu_per_step;  // CPU µs per step, by turn
  double frames_per_step = 0;
  for (auto _ : state) {
    std::filesystem::remove(db);
    std::shared_ptr<SessionStore> store =
        sqlite ? std::shared_ptr<SessionStore>(std::move(*OpenSqliteSessionStore({.path = db, .store = rules},
                                                                                 SystemClock::Default())))
               : std::shared_ptr<SessionStore>(MakeInMemorySessionStore(rules, SystemClock::Default()));
    nlohmann::json replies = nlohmann::json::array();
    for (int t = 0; t < kTurns + 1; ++t) {  // + the warm-up turn
      for (int i = 0; i + 1 < steps; ++i) {
        replies.push_back({{"content", kAction}, {"usage", {{"prompt_tokens", 200}, {"completion_tokens", 30}}}});
      }
      replies.push_back({{"content", kFinal}, {"usage", {{"prompt_tokens", 200}, {"completion_tokens", 20}}}});
    }
    std::shared_ptr<ChatModel> model = std::move(
        *ScriptedModel::Create("gpt-4.1", replies, SystemClock::Default(), {.record_requests = false}));
    SeededRandom random(1);
    auto chain = *MakeResilientModel({{.model = model}}, {}, SystemClock::Default(), random);
    auto agent = std::move(*Agent::Create(
        {.max_steps = steps, .context_window = window},
        {.model = chain, .model_name = "gpt-4.1", .sanitizer = sanitizer, .sessions = store, .tools = tools}));
    if (!agent->Run(store->Create("warm-up")->id, "Warm up").ok()) {
      state.SkipWithError("warm-up turn failed");
      return;
    }
    const std::string session = store->Create("bench")->id;

    per_step.clear();
    cpu_per_step.clear();
    int64_t frames = 0, counted_steps = 0;
    REAGENT_END_OF("setup");
    for (int t = 0; t < kTurns; ++t) {
      const int64_t frames_before = sqlite ? WalFrames(db) : 0;
      const double cpu0 = ThreadCpuMicros();
      const auto t0 = std::chrono::steady_clock::now();
      auto r = agent->Run(session, "How many people live in Hanoi? (asked for the " + std::to_string(t + 1) + ". time)");
      const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      const double cpu = ThreadCpuMicros() - cpu0;
      REAGENT_END_OF(("turn " + std::to_string(t + 1)).c_str());
      if (!r.ok() || r->stop_reason != StopReason::kFinalAnswer || r->steps != steps) {
        state.SkipWithError("turn did not complete as scripted");
        return;
      }
      per_step.push_back(us / steps);
      cpu_per_step.push_back(cpu / steps);
      const int64_t frames_after = sqlite ? WalFrames(db) : 0;
      if (sqlite && frames_before >= 0 && frames_after >= frames_before) {
        frames += frames_after - frames_before;
        counted_steps += steps;
      }
    }
    frames_per_step = counted_steps ? static_cast<double>(frames) / static_cast<double>(counted_steps) : 0;
  }
  state.counters["us_step_t1"] = per_step.front();
  state.counters["us_step_t10"] = per_step[9];
  state.counters["us_step_t30"] = per_step.back();
  state.counters["cpu_t1"] = cpu_per_step.front();
  state.counters["cpu_t30"] = cpu_per_step.back();
  state.counters["t30_over_t1"] = cpu_per_step.back() / cpu_per_step.front();
  if (sqlite) state.counters["wal_frames_per_step"] = frames_per_step;
  state.counters["peak_rss_mb"] = PeakRssMb();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace reagent

BENCHMARK(reagent::BM_AgentSession)
    ->ArgNames({"steps", "memory", "window"})
    ->Args({10, 0, 0})->Args({50, 0, 0})->Args({10, 1, 0})->Args({50, 1, 0})
    // A context window of 16 K tokens: from turn 3 on every prompt drops the oldest turns.
    ->Args({10, 1, 16384})
    ->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_MAIN();
