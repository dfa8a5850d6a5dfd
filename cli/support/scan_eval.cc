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
  std::vector<std::string> errors;
};

std::string Percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x * 100.0);
  return buf;
}

std::string OneLine(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, kErrorExcerptBytes)) out.push_back(c == '\n' ? ' ' : c);
  return out;
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

Status EvaluateFolder(const Sanitizer& sanitizer, const EvalOptions& options, FILE* out) {
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

  std::fprintf(out, "| file | label | n | flagged | rate | 95%% Wilson CI | blocked |\n");
  std::fprintf(out, "|---|---|---:|---:|---:|---|---:|\n");
  std::map<std::string, Tally> totals;
  std::vector<std::string> error_lines;
  size_t malformed = 0;
  for (const fs::path& path : files) {
    std::ifstream in(path);
    if (!in) return Status::IOError("cannot read " + path.string());
    std::map<std::string, Tally> tallies;
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
      std::string text = (*row)["text"].get<std::string>();
      std::string label = (*row)["label"].get<std::string>();
      ScanResult r = sanitizer.Scan(text, options.source);
      bool flagged = r.verdict != Verdict::kAllow;
      for (Tally* t : {&tallies[label], &totals[label]}) {
        ++t->n;
        t->flagged += flagged ? 1 : 0;
        t->blocked += r.verdict == Verdict::kBlock ? 1 : 0;
      }
      bool wrong = (label == "benign") == flagged;
      if (options.show_errors && wrong) {
        std::string id = row->contains("id") ? DumpJson((*row)["id"]) : std::to_string(line_no);
        error_lines.push_back(std::string(label == "benign" ? "FP   " : "MISS ") + id + " " +
                              Percent(r.score) + " " + OneLine(text));
      }
    }
    for (const auto& [label, t] : tallies) {
      Interval ci = WilsonInterval(t.flagged, t.n);
      std::string what = label == "benign" ? "FP " : "detect ";
      std::fprintf(out, "| %s | %s | %zu | %zu | %s%s %% | %s-%s %% | %zu |\n",
                   path.filename().string().c_str(), label.c_str(), t.n, t.flagged, what.c_str(),
                   Percent(static_cast<double>(t.flagged) / static_cast<double>(t.n)).c_str(),
                   Percent(ci.low).c_str(), Percent(ci.high).c_str(), t.blocked);
    }
  }
  std::fprintf(out, "\nSummary (source=%s):\n\n| label | n | flagged | rate | 95%% Wilson CI |\n",
               std::string(TextSourceName(options.source)).c_str());
  std::fprintf(out, "|---|---:|---:|---:|---|\n");
  for (const auto& [label, t] : totals) {
    Interval ci = WilsonInterval(t.flagged, t.n);
    std::fprintf(out, "| %s | %zu | %zu | %s %% | %s-%s %% |\n", label.c_str(), t.n, t.flagged,
                 Percent(static_cast<double>(t.flagged) / static_cast<double>(t.n)).c_str(),
                 Percent(ci.low).c_str(), Percent(ci.high).c_str());
  }
  if (malformed > 0) std::fprintf(out, "\n%zu malformed line(s) skipped\n", malformed);
  for (const std::string& e : error_lines) std::fprintf(out, "%s\n", e.c_str());
  return Status::Ok();
}

}  // namespace reagent::cli
