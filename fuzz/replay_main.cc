// A fuzz target without libFuzzer: the test suite's short run of each target. It feeds the
// target every file of the seed corpora given on the command line, then a fixed number of
// deterministic mutations of each (bit flips, interesting bytes, insertions, deletions,
// duplications, splices with other seeds, truncations), so CI — built with GCC, no libFuzzer
// — still exercises each target in a few seconds and reproduces any failure exactly.
//
//   fuzz_json_policy_replay [--mutations N] [--seed S] CORPUS_DIR_OR_FILE...
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

// SplitMix64: small, fast, and the same sequence on every machine.
struct Rng {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
};

constexpr char kInteresting[] = {'\0', '\xff', '{', '}', '[', ']', '"', '\\', '\n', '\r', ':',
                                 ',', '0', '9', 'e', '-', '.', ' ', '\x80', '\xc3'};
constexpr size_t kMaxMutantBytes = 1 << 20;

std::string Mutate(const std::string& seed, const std::vector<std::string>& all, Rng& rng) {
  std::string s = seed;
  const size_t steps = 1 + rng.Below(4);
  for (size_t step = 0; step < steps; ++step) {
    switch (rng.Below(7)) {
      case 0:  // flip a bit
        if (!s.empty()) s[rng.Below(s.size())] ^= static_cast<char>(1u << rng.Below(8));
        break;
      case 1:  // an interesting byte
        if (!s.empty()) s[rng.Below(s.size())] = kInteresting[rng.Below(sizeof kInteresting)];
        break;
      case 2:  // insert interesting bytes
        s.insert(rng.Below(s.size() + 1), 1 + rng.Below(8), kInteresting[rng.Below(sizeof kInteresting)]);
        break;
      case 3:  // delete a range
        if (!s.empty()) {
          const size_t at = rng.Below(s.size());
          s.erase(at, 1 + rng.Below(std::min<size_t>(16, s.size() - at)));
        }
        break;
      case 4:  // duplicate a range (grows nesting and repetition)
        if (!s.empty()) {
          const size_t at = rng.Below(s.size());
          const size_t len = 1 + rng.Below(std::min<size_t>(64, s.size() - at));
          const std::string piece = s.substr(at, len);
          for (size_t k = 1 + rng.Below(32); k > 0 && s.size() < kMaxMutantBytes; --k) s.insert(at, piece);
        }
        break;
      case 5: {  // splice in part of another seed
        const std::string& other = all[rng.Below(all.size())];
        if (!other.empty()) {
          const size_t at = rng.Below(other.size());
          s.insert(rng.Below(s.size() + 1), other.substr(at, 1 + rng.Below(other.size() - at)));
        }
        break;
      }
      default:  // truncate
        if (!s.empty()) s.resize(rng.Below(s.size()));
        break;
    }
  }
  if (s.size() > kMaxMutantBytes) s.resize(kMaxMutantBytes);
  return s;
}

bool ReadFile(const std::filesystem::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

void Run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  size_t mutations = 100;
  uint64_t seed = 1;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mutations") == 0 && i + 1 < argc) {
      mutations = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::filesystem::path p(argv[i]);
      std::vector<std::filesystem::path> files;
      if (std::filesystem::is_directory(p)) {
        for (const auto& e : std::filesystem::directory_iterator(p)) {
          if (e.is_regular_file()) files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());  // the same order everywhere
      } else {
        files.push_back(p);
      }
      for (const auto& f : files) {
        std::string data;
        if (!ReadFile(f, data)) {
          std::fprintf(stderr, "cannot read %s\n", f.c_str());
          return 2;
        }
        seeds.push_back(std::move(data));
      }
    }
  }
  if (seeds.empty()) {
    std::fprintf(stderr, "usage: %s [--mutations N] [--seed S] CORPUS...\n", argv[0]);
    return 2;
  }
  Rng rng{seed};
  size_t runs = 0;
  for (const std::string& s : seeds) {
    Run(s);
    ++runs;
  }
  for (const std::string& s : seeds) {
    for (size_t m = 0; m < mutations; ++m, ++runs) Run(Mutate(s, seeds, rng));
  }
  std::printf("%zu inputs from %zu seeds: no crash\n", runs, seeds.size());
  return 0;
}
