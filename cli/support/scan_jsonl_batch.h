// `reagent scan --jsonl` on several cores: a batch of input lines answered by up to `jobs`
// threads (the calling one included), the answers in input order. Each line is answered by
// ScanJsonlLine exactly as one thread would answer it; only the work is shared.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reagent/sanitizer/sanitizer.h"

namespace reagent::cli {

// One input line kept past the LineReader's next read.
struct JsonlLine {
  std::string text;
  size_t number = 0;  // 1-based
};

// answers[i] = ScanJsonlLine(sanitizer, default_source, lines[i].text, lines[i].number); sets
// *failed when any line got an error line. An exception thrown while scanning is rethrown
// here, after every thread has stopped.
void ScanJsonlBatch(const Sanitizer& sanitizer, TextSource default_source, const std::vector<JsonlLine>& lines,
                    unsigned jobs, std::vector<std::string>& answers, bool* failed);

// The default for --jobs: the CPUs this process may run on (its affinity mask), 1 to
// kMaxDefaultScanJobs.
inline constexpr unsigned kMaxDefaultScanJobs = 16;
unsigned DefaultScanJobs();

}  // namespace reagent::cli
