#include "support/scan_jsonl_batch.h"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include "support/scan_jsonl.h"

namespace reagent::cli {

void ScanJsonlBatch(const Sanitizer& sanitizer, TextSource default_source, const std::vector<JsonlLine>& lines,
                    unsigned jobs, std::vector<std::string>& answers, bool* failed) {
  answers.assign(lines.size(), std::string());
  std::atomic<size_t> next{0};
  std::atomic<bool> any_failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  // Lines are taken one at a time: their cost varies a lot (a blocked attack is cut short, a
  // text with encoded payloads is scanned twice), so fixed shares would leave a thread idle.
  auto work = [&] {
    try {
      for (size_t i = next++; i < lines.size(); i = next++) {
        bool line_failed = false;
        answers[i] = ScanJsonlLine(sanitizer, default_source, lines[i].text, lines[i].number, &line_failed);
        if (line_failed) any_failed = true;
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next = lines.size();  // the others stop after their current line
    }
  };
  const size_t helpers = std::min<size_t>(std::max(jobs, 1u), lines.size()) - (lines.empty() ? 0 : 1);
  std::vector<std::thread> threads;
  threads.reserve(helpers);
  for (size_t t = 0; t < helpers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);
  if (failed && any_failed) *failed = true;
}

unsigned DefaultScanJobs() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  if (cpus <= 0) cpus = static_cast<int>(std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::clamp(cpus, 1, static_cast<int>(kMaxDefaultScanJobs)));
}

}  // namespace reagent::cli
