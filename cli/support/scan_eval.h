// `reagent scan --eval DIR`: runs the filter over every *.jsonl file in a folder (rows with
// "text", "label" attack|benign, "lang") and prints, per file and label, the detection rate
// (attacks flagged, i.e. not allowed) or the false-positive rate (benign texts flagged) with
// a 95 % Wilson interval, as a Markdown table.
#pragma once

#include <cstdio>
#include <string>

#include "reagent/core/status.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent::cli {

struct EvalOptions {
  std::string folder;
  TextSource source = TextSource::kUser;
  // Print the ids and texts of misclassified rows (missed attacks, false positives).
  bool show_errors = false;
};

// 95 % Wilson score interval of k successes in n trials; {0, 0} when n == 0.
struct Interval {
  double low, high;
};
Interval WilsonInterval(size_t k, size_t n);

// Writes the table to `out`. Fails when the folder has no *.jsonl file or one cannot be read;
// malformed lines are counted and reported, not fatal.
Status EvaluateFolder(const Sanitizer& sanitizer, const EvalOptions& options, FILE* out);

}  // namespace reagent::cli
