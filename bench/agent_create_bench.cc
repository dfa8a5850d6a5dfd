// What building an Agent costs, the usual way (README "Using the library"): the default
// Sanitizer, an OpenAI-compatible client behind the resilience stack, the built-in tools, a
// session store and Agent::Create. Nothing is sent anywhere.
//
//   build/release/bench/agent_create_bench --benchmark_filter=BM_AgentCreate/0
//
// first_ms is the first creation in the process (rules, everything loaded for the first time)
// after the rank tables (tokenizer_load_ms: both encodings' Tokenizer::Get, timed first thing
// in main): run one benchmark per process (--benchmark_filter) to see them. The iterations
// measure every later creation. Parts: sanitizer alone, Agent::Create alone (with the other
// pieces already built), the SQLite store's Open of an existing file.
// Only public API is used, so the same file builds against older trees for before/after runs.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "reagent/agent/agent.h"
#include "reagent/core/random.h"
#include "reagent/llm/openai_chat_model.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/session/in_memory_session_store.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tools/builtin_tools.h"
#include "reagent/tokenizer/tokenizer.h"
#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

double g_tokenizer_load_ms = 0;

const std::string& DbPath() {
  static const std::string path =
      (std::filesystem::temp_directory_path() / ("reagent_agent_create_" + std::to_string(::getpid()) + ".db"))
          .string();
  return path;
}

std::shared_ptr<FallbackChain> Chain() {
  static SeededRandom random(1);
  std::vector<ResilientModelSpec> specs;
  for (const char* name : {"gpt-4.1", "gpt-4.1-mini"}) {
    auto model = OpenAIChatModel::Create({.model = name, .base_url = "http://127.0.0.1:9/v1", .api_key = "unused"});
    if (!model.ok()) std::abort();
    specs.push_back({.model = std::move(*model)});
  }
  return *MakeResilientModel(std::move(specs), {}, SystemClock::Default(), random);
}

std::shared_ptr<ToolRegistry> Tools() {
  auto tools = std::make_shared<ToolRegistry>();
  for (const char* name : {"calculator", "current_time"}) (void)tools->Register(*MakeBuiltinTool(name));
  return tools;
}

std::shared_ptr<SessionStore> Store(bool sqlite) {
  if (!sqlite) return MakeInMemorySessionStore({}, SystemClock::Default());
  return std::shared_ptr<SessionStore>(std::move(*OpenSqliteSessionStore({.path = DbPath()}, SystemClock::Default())));
}

// The whole thing, as an application builds it.
std::unique_ptr<Agent> BuildAgent(bool sqlite) {
  auto sanitizer = Sanitizer::Create();
  if (!sanitizer.ok()) std::abort();
  auto agent = Agent::Create({.system_prompt = "You are a helpful assistant.",
                              .budget = {.max_tokens = 8000, .max_cost_usd = 0.05}},
                             {.model = Chain(), .model_name = "gpt-4.1", .model_names = {"gpt-4.1", "gpt-4.1-mini"},
                              .sanitizer = *sanitizer, .sessions = Store(sqlite), .tools = Tools()});
  if (!agent.ok()) std::abort();
  return std::move(*agent);
}

double Millis(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double FirstCreationMs(bool sqlite) {
  static const double first = [sqlite] {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(BuildAgent(sqlite));
    return Millis(std::chrono::steady_clock::now() - t0);
  }();
  return first;
}

// Arg 0: in-memory store; 1: SQLite file.
void BM_AgentCreate(benchmark::State& state) {
  const bool sqlite = state.range(0) == 1;
  state.SetLabel(sqlite ? "sqlite" : "in-memory");
  const double first = FirstCreationMs(sqlite);
  for (auto _ : state) benchmark::DoNotOptimize(BuildAgent(sqlite));
  state.counters["first_ms"] = first;
  state.counters["tokenizer_load_ms"] = g_tokenizer_load_ms;
}

void BM_SanitizerCreate(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Sanitizer::Create());
}

void BM_AgentCreateOnly(benchmark::State& state) {
  auto sanitizer = *Sanitizer::Create();
  auto chain = Chain();
  auto store = Store(false);
  auto tools = Tools();
  for (auto _ : state) {
    benchmark::DoNotOptimize(Agent::Create(
        {.system_prompt = "You are a helpful assistant.", .budget = {.max_tokens = 8000, .max_cost_usd = 0.05}},
        {.model = chain, .model_name = "gpt-4.1", .model_names = {"gpt-4.1", "gpt-4.1-mini"},
         .sanitizer = sanitizer, .sessions = store, .tools = tools}));
  }
}

void BM_SqliteStoreOpen(benchmark::State& state) {
  (void)Store(true);  // the file exists from here on
  for (auto _ : state) benchmark::DoNotOptimize(Store(true));
}

}  // namespace
}  // namespace reagent

BENCHMARK(reagent::BM_AgentCreate)->ArgName("sqlite")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(reagent::BM_SanitizerCreate)->Unit(benchmark::kMicrosecond);
BENCHMARK(reagent::BM_AgentCreateOnly)->Unit(benchmark::kMicrosecond);
BENCHMARK(reagent::BM_SqliteStoreOpen)->Unit(benchmark::kMicrosecond);

int main(int argc, char** argv) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!reagent::Tokenizer::Get(reagent::Encoding::kO200kBase).ok() ||
      !reagent::Tokenizer::Get(reagent::Encoding::kCl100kBase).ok()) {
    return 1;
  }
  reagent::g_tokenizer_load_ms = reagent::Millis(std::chrono::steady_clock::now() - t0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(reagent::DbPath() + suffix, ec);
  return 0;
}
