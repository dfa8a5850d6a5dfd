#include "support/scan_eval.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "reagent/core/json.h"

namespace reagent::cli {
namespace {

constexpr double kZ95 = 1.959963984540054;  // two-sided 95 % normal quantile
constexpr size_t kErrorExcerptBytes = 140;

struct Tally {
  size_t n = 0;
  size_t flagged = 0;  // redact or block
  size_t blocked = 0;
};

std::string Percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x * 100.0);
  return buf;
}

// "12.5 % | 8.1-18.8 %": a rate and its interval, two table cells.
std::string RateCells(size_t k, size_t n) {
  Interval ci = WilsonInterval(k, n);
  return Percent(n ? static_cast<double>(k) / static_cast<double>(n) : 0.0) + " % | " +
         Percent(ci.low) + "-" + Percent(ci.high) + " %";
}

std::string OneLine(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, kErrorExcerptBytes)) out.push_back(c == '\n' ? ' ' : c);
  return out;
}

void PrintRow(FILE* out, const std::string& file, const std::string& label,
              const std::string& filter, const Tally& t) {
  std::fprintf(out, "| %s | %s | %s | %zu | %zu | %s | %zu | %s |\n", file.c_str(), label.c_str(),
               filter.c_str(), t.n, t.blocked, RateCells(t.blocked, t.n).c_str(), t.flagged,
               RateCells(t.flagged, t.n).c_str());
}

}  // namespace

Interval WilsonInterval(size_t k, size_t n) {
  if (n == 0) return {0, 0};
  double nn = static_cast<double>(n);
  double p = static_cast<double>(k) / nn;
  double z2 = kZ95 * kZ95;
  double denom = 1 + z2 / nn;
  double center = (p + z2 / (2 * nn)) / denom;
  double half = kZ95 * std::sqrt(p * (1 - p) / nn + z2 / (4 * nn * nn)) / denom;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

Status EvaluateFolder(const std::vector<EvalFilter>& filters, const EvalOptions& options,
                      FILE* out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(options.folder, ec)) {
    return Status::NotFound("not a folder: " + options.folder);
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(options.folder, ec)) {
    if (entry.path().extension() == ".jsonl") files.push_back(entry.path());
  }
  if (files.empty()) return Status::NotFound("no *.jsonl file in " + options.folder);
  std::sort(files.begin(), files.end());

  std::fprintf(out, "| file | label | filter | n | blocked | rate | 95%% Wilson CI | flagged | rate | "
                    "95%% Wilson CI |\n");
  std::fprintf(out, "|---|---|---|---:|---:|---:|---|---:|---:|---|\n");
  // totals[filter][label]
  std::vector<std::map<std::string, Tally>> totals(filters.size());
  std::vector<std::string> error_lines;
  size_t malformed = 0;
  for (const fs::path& path : files) {
    std::ifstream in(path);
    if (!in) return Status::IOError("cannot read " + path.string());
    std::vector<std::map<std::string, Tally>> tallies(filters.size());
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto row = ParseJson(line, path.filename().string() + " line " + std::to_string(line_no));
      if (!row.ok() || !row->is_object() || !row->contains("text") || !(*row)["text"].is_string() ||
          !row->contains("label") || !(*row)["label"].is_string()) {
        ++malformed;
        continue;
      }
      if (!options.split.empty() &&
          !(row->contains("split") && (*row)["split"] == options.split)) {
        continue;
      }
      const std::string text = (*row)["text"].get<std::string>();
      const std::string label = (*row)["label"].get<std::string>();
      for (size_t k = 0; k < filters.size(); ++k) {
        ScanResult r = filters[k].sanitizer->Scan(text, options.source);
        bool flagged = r.verdict != Verdict::kAllow;
        for (Tally* t : {&tallies[k][label], &totals[k][label]}) {
          ++t->n;
          t->flagged += flagged ? 1 : 0;
          t->blocked += r.verdict == Verdict::kBlock ? 1 : 0;
        }
        bool wrong = label == "benign" ? flagged : r.verdict != Verdict::kBlock;
        if (options.show_errors && wrong && k + 1 == filters.size()) {
          std::string id = row->contains("id") ? DumpJson((*row)["id"]) : std::to_string(line_no);
          error_lines.push_back(std::string(label == "benign" ? "FP   " : "MISS ") +
                                std::string(VerdictName(r.verdict)) + " " + id + " " +
                                Percent(r.score) + " " + OneLine(text));
        }
      }
    }
    for (const auto& [label, unused] : tallies.front()) {
      for (size_t k = 0; k < filters.size(); ++k) {
        PrintRow(out, path.filename().string(), label, filters[k].name, tallies[k][label]);
      }
    }
  }
  std::fprintf(out, "\nSummary (source=%s%s%s):\n\n| label | filter | n | blocked | rate | 95%% Wilson CI | "
                    "flagged | rate | 95%% Wilson CI |\n|---|---|---:|---:|---:|---|---:|---:|---|\n",
               std::string(TextSourceName(options.source)).c_str(),
               options.split.empty() ? "" : ", split=", options.split.c_str());
  for (const auto& [label, unused] : totals.front()) {
    for (size_t k = 0; k < filters.size(); ++k) {
      const Tally& t = totals[k][label];
      std::fprintf(out, "| %s | %s | %zu | %zu | %s | %zu | %s |\n", label.c_str(),
                   filters[k].name.c_str(), t.n, t.blocked, RateCells(t.blocked, t.n).c_str(),
                   t.flagged, RateCells(t.flagged, t.n).c_str());
    }
  }
  if (malformed > 0) std::fprintf(out, "\n%zu malformed line(s) skipped\n", malformed);
  for (const std::string& e : error_lines) std::fprintf(out, "%s\n", e.c_str());
  return Status::Ok();
}

}  // namespace reagent::cli
