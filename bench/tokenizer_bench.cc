// Tokenizer throughput (MB/s of UTF-8 input), single-threaded: Encode and Count over a 1 MiB
// English+Vietnamese corpus, whole and in 8 KiB chunks, for both encodings.
// bench/tokenizer.sh writes the corpus (REAGENT_TOKENIZER_CORPUS) and runs gpt-tokenizer on the
// same text; without it the corpus is the fixture corpus's English and Vietnamese texts repeated.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/tokenizer/tokenizer.h"

namespace {

constexpr size_t kCorpusBytes = 1 << 20;
constexpr size_t kChunkBytes = 8 << 10;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string FallbackCorpus() {
  std::istringstream in(ReadFile(std::string(REAGENT_SOURCE_DIR) + "/tokenizer/testdata/fixtures.jsonl"));
  std::string line, texts;
  while (std::getline(in, line)) {
    auto json = reagent::ParseJson(line);
    if (!json.ok()) continue;
    std::string id = (*json)["id"].get<std::string>();
    if (id.rfind("english", 0) == 0 || id.rfind("vietnamese-nfc", 0) == 0) texts += (*json)["text"].get<std::string>() + "\n\n";
  }
  std::string corpus;
  while (!texts.empty() && corpus.size() < kCorpusBytes) corpus += texts;
  return corpus;
}

const std::string& Corpus() {
  static const std::string corpus = [] {
    const char* path = std::getenv("REAGENT_TOKENIZER_CORPUS");
    std::string text = path != nullptr ? ReadFile(path) : FallbackCorpus();
    size_t cut = std::min(text.size(), kCorpusBytes);
    while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;  // whole characters
    return text.substr(0, cut);
  }();
  return corpus;
}

// 8 KiB chunks cut at character boundaries.
const std::vector<std::string_view>& Chunks() {
  static const std::vector<std::string_view> chunks = [] {
    std::vector<std::string_view> out;
    std::string_view text = Corpus();
    while (!text.empty()) {
      size_t cut = std::min(text.size(), kChunkBytes);
      while (cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
      out.push_back(text.substr(0, cut));
      text.remove_prefix(cut);
    }
    return out;
  }();
  return chunks;
}

const reagent::Tokenizer& Get(int encoding) {
  return **reagent::Tokenizer::Get(encoding == 0 ? reagent::Encoding::kO200kBase : reagent::Encoding::kCl100kBase);
}

void Label(benchmark::State& state) {
  state.SetLabel(std::string(reagent::EncodingName(Get(static_cast<int>(state.range(0))).encoding())));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * Corpus().size()));
}

void BM_Encode1MiB(benchmark::State& state) {
  const auto& t = Get(static_cast<int>(state.range(0)));
  size_t ids = 0;
  for (auto _ : state) {
    auto encoded = t.Encode(Corpus());
    ids = encoded.size();
    benchmark::DoNotOptimize(encoded.data());
  }
  state.counters["tokens"] = static_cast<double>(ids);
  Label(state);
}

void BM_Count1MiB(benchmark::State& state) {
  const auto& t = Get(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(t.Count(Corpus()));
  Label(state);
}

void BM_Encode8KiBChunks(benchmark::State& state) {
  const auto& t = Get(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    for (std::string_view chunk : Chunks()) {
      auto encoded = t.Encode(chunk);
      benchmark::DoNotOptimize(encoded.data());
    }
  }
  Label(state);
}

void BM_Count8KiBChunks(benchmark::State& state) {
  const auto& t = Get(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    for (std::string_view chunk : Chunks()) benchmark::DoNotOptimize(t.Count(chunk));
  }
  Label(state);
}

void BM_FirstUseLoadsAndVerifiesRankFile(benchmark::State& state) {
  for (auto _ : state) {
    auto t = reagent::Tokenizer::LoadFromFile(
        reagent::Encoding::kO200kBase, std::string(REAGENT_SOURCE_DIR) + "/tokenizer/data/o200k_base.tiktoken");
    benchmark::DoNotOptimize(t.ok());
  }
}

BENCHMARK(BM_Encode1MiB)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Count1MiB)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Encode8KiBChunks)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Count8KiBChunks)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FirstUseLoadsAndVerifiesRankFile)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
