#include "support/scan_output.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace reagent::cli {
namespace {

// Scores and weights are printed to 4 decimals: enough to compare with a threshold.
double Round4(double x) { return std::round(x * 10000.0) / 10000.0; }

constexpr size_t kMaxExcerptBytes = 80;

std::string Excerpt(std::string_view text, size_t start, size_t end) {
  if (start > text.size()) return "";
  end = std::min(end, text.size());
  std::string_view s = text.substr(start, end - start);
  // Cut at a character boundary so the excerpt stays valid UTF-8.
  size_t cut = std::min(s.size(), kMaxExcerptBytes);
  while (cut < s.size() && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out;
  for (size_t i = 0; i < cut; ++i) {
    char c = s[i];
    out += (c == '\n') ? std::string("\\n") : std::string(1, c);
  }
  if (cut < s.size()) out += "...";
  return out;
}

}  // namespace

Json ScanResultJson(const ScanResult& result, const Json& id) {
  Json findings = Json::array();
  for (const Finding& f : result.findings) {
    findings.push_back({{"rule", f.rule},
                        {"category", f.category},
                        {"start", f.start},
                        {"end", f.end},
                        {"weight", Round4(f.weight)}});
  }
  return Json{{"id", id},
              {"verdict", std::string(VerdictName(result.verdict))},
              {"score", Round4(result.score)},
              {"categories", result.categories},
              {"findings", std::move(findings)},
              {"cleaned", result.cleaned}};
}

std::string ExplainScan(std::string_view text, const ScanResult& result) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "verdict: %s (score %.3f)\n",
                std::string(VerdictName(result.verdict)).c_str(), result.score);
  out += line;
  if (result.findings.empty()) {
    out += "no findings\n";
  } else {
    out += "findings:\n";
    for (const Finding& f : result.findings) {
      std::snprintf(line, sizeof line, "  %-34s %-20s weight %.3f  bytes %zu-%zu  ",
                    f.rule.c_str(), f.category.c_str(), f.weight, f.start, f.end);
      out += line;
      out += "\"" + Excerpt(text, f.start, f.end) + "\"\n";
    }
  }
  if (result.verdict == Verdict::kBlock) {
    out += "cleaned: (nothing: blocked)\n";
  } else {
    out += "cleaned: " + result.cleaned + "\n";
  }
  return out;
}

}  // namespace reagent::cli
