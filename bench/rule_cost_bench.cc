// What each built-in rule costs the first pass: the rules alone (no learned layer) scan the
// 2,048 varied 8 KiB chunks of sanitizer_chunks.h once, in a fresh Sanitizer, with every rule,
// and then once per rule without that rule. A rule whose removal saves much more than the
// others' is one whose partial matches blow up RE2's DFA (a wide class repeated after a common
// word): a candidate for a gated set searched only around its own phrases (README: "gate").
//
//   build/release/bench/rule_cost_bench [--lang en|vi] [--top N]
//
// Times are CPU seconds of one pass, and the machine is shared: the run with every rule is
// repeated between groups of eight rules, and each rule is compared with the faster of the two
// runs around its group.
// Read the ranking, not the last digit; confirm a candidate with callgrind.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/sanitizer/sanitizer.h"
#include "sanitizer_chunks.h"

namespace {

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// One first pass over `chunks` by a fresh Sanitizer of `rules` alone; negative if it fails.
double FirstPass(const reagent::Json& rules, const std::vector<std::string>& chunks) {
  auto s = reagent::Sanitizer::Create(
      {.builtin_rules = false, .learned_layer = false, .rule_texts = {rules.dump()}});
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
    return -1;
  }
  const double t0 = CpuSeconds();
  for (const std::string& c : chunks) (void)(*s)->Scan(c);
  return CpuSeconds() - t0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string lang = "en";
  size_t top = 15;
  auto usage = [&](FILE* to) {
    std::fprintf(to,
                 "usage: %s [--lang en|vi] [--top N]\n"
                 "  Ranks the built-in rules by the share of the rules' first pass each costs\n"
                 "  (the pass with the rule left out, against the pass with every rule).\n"
                 "  --lang  benign chunks of this language (default en)\n"
                 "  --top   how many rules to print (default 15)\n",
                 argv[0]);
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(stdout);
      return 0;
    }
    if (a == "--lang" && i + 1 < argc && (std::string(argv[i + 1]) == "en" || std::string(argv[i + 1]) == "vi")) {
      lang = argv[++i];
    } else if (a == "--top" && i + 1 < argc) {
      char* end = nullptr;
      const unsigned long n = std::strtoul(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || n == 0 || n > 10000) {
        std::fprintf(stderr, "--top: expected a whole number from 1 to 10000, got \"%s\"\n", argv[i]);
        return 2;
      }
      top = n;
    } else {
      usage(stderr);
      return 2;
    }
  }
  const auto chunks = reagent::bench::Chunks(reagent::bench::BenignRows(reagent::bench::DefaultFolders(), lang));
  auto doc = reagent::ReadJsonFile(std::string(REAGENT_SOURCE_DIR) + "/sanitizer/data/rules.json");
  if (!doc.ok() || chunks.empty()) {
    std::fprintf(stderr, "%s\n", doc.ok() ? "no benign rows" : doc.status().ToString().c_str());
    return 1;
  }
  const reagent::Json& all = *doc;
  const size_t n = all["rules"].size();
  (void)FirstPass(all, chunks);  // warms the page cache and the allocator, not RE2 (fresh sets)
  struct Cost {
    std::string id;
    double without, baseline;
  };
  std::vector<Cost> costs;
  constexpr size_t kGroup = 8;
  double before_group = FirstPass(all, chunks);
  for (size_t k = 0; k < n; ++k) {
    reagent::Json without = all;
    without["rules"].erase(k);
    const double t = FirstPass(without, chunks);
    if (t < 0 || before_group < 0) return 1;
    costs.push_back({all["rules"][k].value("id", "?"), t, 0});
    std::fprintf(stderr, "\r%zu / %zu rules", k + 1, n);
    if ((k + 1) % kGroup == 0 || k + 1 == n) {
      // The group's baseline: the faster of the runs with every rule just before and after it
      // (a burst of load on the machine slows one run, rarely both).
      const double after_group = FirstPass(all, chunks);
      if (after_group < 0) return 1;
      for (size_t g = k - k % kGroup; g <= k; ++g) costs[g].baseline = std::min(before_group, after_group);
      before_group = after_group;
    }
  }
  std::fprintf(stderr, "\n");
  // The share of the pass a rule costs: what the pass saves without it.
  auto share = [](const Cost& c) { return (c.baseline - c.without) / c.baseline; };
  std::sort(costs.begin(), costs.end(), [&](const Cost& a, const Cost& b) { return share(a) > share(b); });
  std::vector<double> shares;
  for (const Cost& c : costs) shares.push_back(share(c));
  std::printf("lang=%s chunks=%zu rules=%zu median share %+.1f %%\n", lang.c_str(), chunks.size(), n,
              100 * shares[shares.size() / 2]);
  for (size_t k = 0; k < std::min(top, costs.size()); ++k) {
    std::printf("%-48s %+6.1f %% of the pass (%.3f s without it, %.3f s with every rule)\n",
                costs[k].id.c_str(), 100 * share(costs[k]), costs[k].without, costs[k].baseline);
  }
  return 0;
}
