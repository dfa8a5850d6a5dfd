// The engine of `reagent batch`: reads JSON lines, processes each with a caller-supplied
// function on N worker threads, checkpoints every finished item (BatchState) and writes one
// result line per input line (a blank or malformed line gets an error line). Two lines with
// the same "id" are refused before anything runs. Resumable: a rerun skips what the checkpoint holds. A failing
// item is recorded with its error and the batch goes on. Stopping (Ctrl-C) lets in-flight
// items finish and takes no new ones.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/core/json.h"
#include "reagent/core/status.h"

namespace reagent::cli {

struct BatchItem {
  int64_t index = 0;  // 0-based line number of the input (blank lines count)
  Json input;         // the parsed line
};

struct BatchItemResult {
  bool ok = true;
  Json output = Json::object();  // fields merged into the result line
  std::string error;             // when !ok
  int64_t tokens = 0;
  std::optional<double> cost_usd;
  int64_t retries = 0;
  int64_t rate_limited = 0;      // 429s seen while serving the item
};

using BatchProcessor = std::function<BatchItemResult(const BatchItem&, const CancellationToken&)>;

struct BatchProgress {
  int64_t total = 0;       // items in the input
  int64_t done = 0;        // finished, including those skipped from the checkpoint
  int64_t resumed = 0;     // skipped because the checkpoint had them as succeeded
  int64_t succeeded = 0;
  int64_t failed = 0;
  int64_t tokens = 0;
  double cost_usd = 0;
  int64_t retries = 0;
  int64_t rate_limited = 0;
  double elapsed_s = 0;
  // Items finished per second over the last minute (ThroughputMeter): what the batch does
  // now, after any burst at the start and under whatever pacing holds it. In the final
  // report: over the whole run.
  double items_per_s = 0;
  std::optional<double> eta_s;  // items left / items_per_s; unknown until items finish
  bool final = false;      // the last report
};

struct BatchOptions {
  std::string in_path;
  std::string out_path;
  std::string state_path;           // empty: out_path + ".state.db"
  int concurrency = 4;              // worker threads; each runs one item at a time
  double progress_interval_s = 1;   // how often on_progress is called
  std::function<void(const BatchProgress&)> on_progress;
  CancellationToken stop;           // once cancelled: no new items; in-flight ones finish
  CancellationToken abort;          // once cancelled: in-flight items are cancelled too
  Clock* clock = nullptr;           // for elapsed time; default SystemClock
};

// Runs the batch. Returns the final progress, or an error that stopped it from starting
// (unreadable input, a checkpoint of another input, an unwritable output).
Result<BatchProgress> RunBatch(const BatchOptions& options, const BatchProcessor& process);

}  // namespace reagent::cli
