// `reagent scan --eval DIR`: runs the filter over every *.jsonl file in a folder (rows with
// "text", "label" attack|benign, optionally "split") and prints, per file and label, the
// share of rows blocked and the share flagged (redacted or blocked) with 95 % Wilson
// intervals, as a Markdown table: for attacks the detection rates, for benign rows the
// false-positive rates. Several filters (e.g. the rules alone, the learned layer alone and
// both) can be evaluated side by side, one table row each.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "reagent/core/status.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent::cli {

// One filter to evaluate, and its name in the table's "filter" column.
struct EvalFilter {
  std::string name;
  const Sanitizer* sanitizer = nullptr;
};

struct EvalOptions {
  std::string folder;
  TextSource source = TextSource::kUser;
  // Print the ids and texts of misclassified rows (missed attacks, false positives) of the
  // last filter.
  bool show_errors = false;
  // Only rows whose "split" field equals this (e.g. "test"); empty: every row.
  std::string split;
};

// 95 % Wilson score interval of k successes in n trials; {0, 0} when n == 0.
struct Interval {
  double low, high;
};
Interval WilsonInterval(size_t k, size_t n);

// Writes the table to `out`. Fails when the folder has no *.jsonl file or one cannot be read;
// malformed lines are counted and reported, not fatal.
Status EvaluateFolder(const std::vector<EvalFilter>& filters, const EvalOptions& options,
                      FILE* out);

}  // namespace reagent::cli
