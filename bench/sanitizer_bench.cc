// Throughput and latency of Sanitizer::Scan on 8 KiB chunks of benign English, benign
// Vietnamese and attack-laden text; 1 KiB → 1 MiB inputs to show linear scaling; one shared
// instance scanned from 1 and 2 threads. The 8 KiB cases walk a ring of 2,048 different
// chunks (sanitizer_chunks.h), so after its first lap RE2's DFA cache is as warm as a
// long-running process gets; the cold first lap in a fresh process is measured by
// sanitizer_first_pass_bench. Targets: ≥ 150 MB/s English, ≥ 60 MB/s Vietnamese, p99 < 100 µs
// per 8 KiB English chunk.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/sanitizer/sanitizer.h"
#include "sanitizer_chunks.h"

namespace {

constexpr size_t kChunk = 8 * 1024;
constexpr size_t kMaxScaling = 1024 * 1024;

std::string CorpusText(std::initializer_list<const char*> files) {
  std::string out;
  for (const char* name : files) {
    std::ifstream in(std::string(REAGENT_SOURCE_DIR) + "/sanitizer/corpora/" + name);
    std::string line;
    while (std::getline(in, line)) {
      auto row = reagent::ParseJson(line);
      if (row.ok() && row->contains("text")) out += (*row)["text"].get<std::string>() + "\n";
    }
  }
  return out;
}

// `text` repeated and cut to `n` bytes at a UTF-8 character boundary.
std::string Sized(const std::string& text, size_t n) {
  std::string out;
  while (out.size() < n) out += text;
  out.resize(n);
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
  if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xC0) out.pop_back();
  return out;
}

const std::string& English() {
  static const std::string s =
      CorpusText({"bipia_contexts_benign_train.jsonl", "notinject_benign.jsonl"});
  return s;
}
const std::string& Attacks() {
  static const std::string s =
      CorpusText({"purplellama_en.jsonl", "vi_attacks_handwritten.jsonl"});
  return s;
}

const reagent::Sanitizer& Shared() {
  static const std::shared_ptr<const reagent::Sanitizer> s = [] {
    auto r = reagent::Sanitizer::Create({.max_input_bytes = 2 * kMaxScaling});
    if (!r.ok()) std::abort();
    return *r;
  }();
  return *s;
}

double ThreadCpuMicros() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

double Percentile(std::vector<double>& v, size_t permille) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * permille / 1000)];
}

// Per-call latency both as wall time (includes preemption on a busy machine) and as the
// calling thread's CPU time (the filter's own cost).
void ScanChunks(benchmark::State& state, const std::vector<std::string>& chunks,
                reagent::TextSource source) {
  const reagent::Sanitizer& s = Shared();
  size_t next = 0, bytes = 0;
  std::vector<double> wall, cpu;
  constexpr size_t kMaxSamples = 1 << 16;
  wall.reserve(kMaxSamples);
  cpu.reserve(kMaxSamples);
  for (auto _ : state) {
    const std::string& chunk = chunks[next];
    next = (next + 1) % chunks.size();
    bytes += chunk.size();
    auto t0 = std::chrono::steady_clock::now();
    double c0 = ThreadCpuMicros();
    reagent::ScanResult r = s.Scan(chunk, source);
    double c1 = ThreadCpuMicros();
    auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(r);
    if (wall.size() < kMaxSamples) {
      wall.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      cpu.push_back(c1 - c0);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  if (!wall.empty()) {
    state.counters["p50_wall_us"] = Percentile(wall, 500);
    state.counters["p99_wall_us"] = Percentile(wall, 990);
    state.counters["p50_cpu_us"] = Percentile(cpu, 500);
    state.counters["p99_cpu_us"] = Percentile(cpu, 990);
  }
}

const std::vector<std::string>& EnglishChunks() {
  static const auto c = reagent::bench::Chunks(reagent::bench::BenignRows(reagent::bench::DefaultFolders(), "en"));
  return c;
}
const std::vector<std::string>& VietnameseChunks() {
  static const auto c = reagent::bench::Chunks(reagent::bench::BenignRows(reagent::bench::DefaultFolders(), "vi"));
  return c;
}
// Attack-laden text: 8 KiB cuts of the attack corpora at 2,048 different offsets.
const std::vector<std::string>& AttackChunks() {
  static const auto c = [] {
    std::vector<std::string> out;
    const std::string& all = Attacks();
    for (size_t k = 0; k < reagent::bench::kChunkCount; ++k) {
      size_t at = (k * 7919) % std::max<size_t>(1, all.size());
      out.push_back(Sized(all.substr(at) + all, kChunk));
    }
    return out;
  }();
  return c;
}

void BM_Scan8KiB_English(benchmark::State& state) {
  ScanChunks(state, EnglishChunks(), reagent::TextSource::kUser);
}
void BM_Scan8KiB_Vietnamese(benchmark::State& state) {
  ScanChunks(state, VietnameseChunks(), reagent::TextSource::kUser);
}
void BM_Scan8KiB_Attacks(benchmark::State& state) {
  ScanChunks(state, AttackChunks(), reagent::TextSource::kTool);
}
void BM_Scan8KiB_EnglishAsTool(benchmark::State& state) {
  ScanChunks(state, EnglishChunks(), reagent::TextSource::kTool);
}
BENCHMARK(BM_Scan8KiB_English);
BENCHMARK(BM_Scan8KiB_Vietnamese);
BENCHMARK(BM_Scan8KiB_Attacks);
BENCHMARK(BM_Scan8KiB_EnglishAsTool);

// Linear scaling: time per byte should stay flat from 1 KiB to 1 MiB.
void BM_ScanScaling_English(benchmark::State& state) {
  std::string text = Sized(English(), static_cast<size_t>(state.range(0)));
  const reagent::Sanitizer& s = Shared();
  for (auto _ : state) benchmark::DoNotOptimize(s.Scan(text));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_ScanScaling_English)->RangeMultiplier(4)->Range(1024, kMaxScaling)->Complexity();

// One shared instance, scanned concurrently (Scan is const and thread-safe).
void BM_SharedInstance_English(benchmark::State& state) {
  const auto& chunks = EnglishChunks();
  const reagent::Sanitizer& s = Shared();
  size_t next = static_cast<size_t>(state.thread_index()) * 1024, bytes = 0;
  for (auto _ : state) {
    const std::string& chunk = chunks[next++ % chunks.size()];
    bytes += chunk.size();
    benchmark::DoNotOptimize(s.Scan(chunk));
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SharedInstance_English)->Threads(1)->Threads(2)->UseRealTime();

// Creating another Sanitizer with the default options: the rule book and the learned model
// are shared, so this is the per-Agent cost after the first.
void BM_CreateAfterTheFirst(benchmark::State& state) {
  (void)Shared();
  for (auto _ : state) benchmark::DoNotOptimize(reagent::Sanitizer::Create());
}
BENCHMARK(BM_CreateAfterTheFirst)->Unit(benchmark::kMicrosecond);

void BM_Wrap8KiB_English(benchmark::State& state) {
  std::string chunk = Sized(English(), kChunk);
  const reagent::Sanitizer& s = Shared();
  std::string nonce = reagent::Sanitizer::NewNonce();
  for (auto _ : state) benchmark::DoNotOptimize(s.Wrap(chunk, "web_fetch", nonce));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(BM_Wrap8KiB_English);

// What the agent does with each tool output: Scan it as tool output, then Wrap what it passes
// on; arg 0 wraps the text on its own (matching it again), arg 1 hands Wrap the scan. Over the
// 2,048 different English chunks, so neither pass runs on one chunk's warm DFA states.
void BM_ScanThenWrap8KiB_English(benchmark::State& state) {
  const auto& chunks = EnglishChunks();
  const reagent::Sanitizer& s = Shared();
  const bool given_scan = state.range(0) == 1;
  const std::string nonce = reagent::Sanitizer::NewNonce();
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& chunk = chunks[i++ % chunks.size()];
    reagent::ScanResult r = s.Scan(chunk, reagent::TextSource::kTool);
    if (r.verdict != reagent::Verdict::kBlock) {
      benchmark::DoNotOptimize(given_scan ? s.Wrap(r.cleaned, "web_fetch", nonce, r)
                                          : s.Wrap(r.cleaned, "web_fetch", nonce));
    }
    bytes += static_cast<int64_t>(chunk.size());
  }
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_ScanThenWrap8KiB_English)->ArgName("given_scan")->Arg(0)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
