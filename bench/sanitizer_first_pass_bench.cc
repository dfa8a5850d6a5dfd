// The sanitizer on text it has never seen, in a fresh process: 2,048 different 8 KiB chunks
// scanned once each (RE2's DFA cache starts cold, as in a new server process), then once more
// (warm). One language and source per process; bench/sanitizer_first_pass.sh runs each case
// in its own process, several times.
//
//   sanitizer_first_pass_bench --lang en|vi [--source user|tool] [--no-learned-layer]
//                              [--data FOLDER]...
// Prints one line: bytes, MB/s and per-call CPU / wall percentiles of both passes, and how
// many chunks were flagged (benign text: should be none).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "reagent/sanitizer/sanitizer.h"
#include "sanitizer_chunks.h"

namespace {

double ThreadCpuMicros() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

double Percentile(std::vector<double> v, size_t permille) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, v.size() * permille / 1000)];
}

struct Pass {
  double mb_per_s, p50_cpu, p99_cpu, p99_wall;
  size_t flagged;
};

Pass Run(const reagent::Sanitizer& s, const std::vector<std::string>& chunks, reagent::TextSource source) {
  std::vector<double> cpu, wall;
  size_t bytes = 0, flagged = 0;
  double total_cpu = 0;
  for (const std::string& c : chunks) {
    auto t0 = std::chrono::steady_clock::now();
    double c0 = ThreadCpuMicros();
    reagent::ScanResult r = s.Scan(c, source);
    double c1 = ThreadCpuMicros();
    auto t1 = std::chrono::steady_clock::now();
    flagged += r.verdict != reagent::Verdict::kAllow;
    cpu.push_back(c1 - c0);
    wall.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    total_cpu += c1 - c0;
    bytes += c.size();
  }
  return {static_cast<double>(bytes) / total_cpu, Percentile(cpu, 500), Percentile(cpu, 990),
          Percentile(wall, 990), flagged};
}

// Builds of versions without the learned layer compile this file too (for side-by-side runs).
template <typename Options>
void SetLearnedLayer(Options& options, bool on) {
  if constexpr (requires { options.learned_layer = on; }) {
    options.learned_layer = on;
  } else {
    (void)options;
    (void)on;
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string lang = "en", source_name = "user";
  bool learned = true;
  std::vector<std::string> folders;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--lang" && i + 1 < argc) lang = argv[++i];
    else if (a == "--source" && i + 1 < argc) source_name = argv[++i];
    else if (a == "--data" && i + 1 < argc) folders.push_back(argv[++i]);
    else if (a == "--no-learned-layer") learned = false;
    else {
      std::fprintf(stderr, "usage: %s --lang en|vi [--source user|tool] [--no-learned-layer] [--data DIR]...\n", argv[0]);
      return 2;
    }
  }
  if (folders.empty()) folders = reagent::bench::DefaultFolders();
  std::vector<std::string> chunks = reagent::bench::Chunks(reagent::bench::BenignRows(folders, lang));
  if (chunks.empty()) {
    std::fprintf(stderr, "no benign %s rows in the data folders\n", lang.c_str());
    return 1;
  }
  reagent::SanitizerOptions options;
  SetLearnedLayer(options, learned);
  auto t0 = std::chrono::steady_clock::now();
  auto sanitizer = reagent::Sanitizer::Create(options);
  double create_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (!sanitizer.ok()) {
    std::fprintf(stderr, "%s\n", sanitizer.status().ToString().c_str());
    return 1;
  }
  reagent::TextSource source = source_name == "tool" ? reagent::TextSource::kTool : reagent::TextSource::kUser;
  Pass first = Run(**sanitizer, chunks, source);
  Pass second = Run(**sanitizer, chunks, source);
  std::printf("lang=%s source=%s learned=%d chunks=%zu create_ms=%.1f | first pass: %.1f MB/s p50 %.0f us p99 %.0f us "
              "(wall p99 %.0f us) flagged %zu | second pass: %.1f MB/s p50 %.0f us p99 %.0f us\n",
              lang.c_str(), source_name.c_str(), learned ? 1 : 0, chunks.size(), create_ms, first.mb_per_s,
              first.p50_cpu, first.p99_cpu, first.p99_wall, first.flagged, second.mb_per_s, second.p50_cpu,
              second.p99_cpu);
  return 0;
}
