#include "support/batch_runner.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "reagent/core/bounded_read.h"
#include "reagent/core/line_reader.h"
#include "support/batch_state.h"
#include "support/throughput_meter.h"

namespace reagent::cli {
namespace {

// The largest batch input read (a million items of a kilobyte each fit).
constexpr size_t kMaxBatchInputBytes = size_t{1} << 30;

struct Input {
  std::vector<std::string> lines;  // every line, blank ones included: one result each
  std::string fingerprint;
};

bool IsBlank(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

// Two lines with the same "id" would be indistinguishable in the output: refused before any
// work is done, naming both lines.
Status CheckDistinctIds(const Input& input) {
  std::map<std::string, size_t> first_line;
  for (size_t i = 0; i < input.lines.size(); ++i) {
    if (IsBlank(input.lines[i])) continue;
    auto parsed = ParseJson(input.lines[i]);
    if (!parsed.ok() || !parsed->is_object() || !parsed->contains("id")) continue;
    const std::string id = DumpJson((*parsed)["id"]);
    auto [it, inserted] = first_line.emplace(id, i);
    if (!inserted) {
      return Status::InvalidArgument("duplicate id " + id + " on lines " + std::to_string(it->second + 1) +
                                     " and " + std::to_string(i + 1) + " of the input; ids must be unique");
    }
  }
  return Status::Ok();
}

Result<Input> ReadInput(const std::string& path) {
  auto data = ReadFileBounded(path, kMaxBatchInputBytes);
  if (!data.ok()) return data.status().WithContext("batch input");
  Input input;
  input.fingerprint = Fingerprint(*data);
  std::istringstream lines(*data);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    input.lines.push_back(std::move(line));
  }
  return input;
}

// A line is one item; one that does not fit kMaxJsonLineBytes is recorded as failed.
Result<Json> ParseLine(const std::string& raw, int64_t index) {
  LineReader::Line line{.number = static_cast<size_t>(index + 1), .too_long = raw.size() > kMaxJsonLineBytes};
  if (!line.too_long) line.text = raw;
  return ParseJsonLine(line);
}

// Writes all recorded result lines in input order, atomically (temp file + rename).
Status WriteOutput(const std::string& path, const std::map<int64_t, std::string>& results) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("cannot write batch output " + tmp);
    for (const auto& [index, line] : results) out << line << '\n';
    out.flush();
    if (!out) return Status::IOError("cannot write batch output " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Status::IOError("cannot replace " + path + ": " + ec.message());
  return Status::Ok();
}

std::string ResultLine(int64_t index, const Json& input, const BatchItemResult& r) {
  Json line = {{"index", index}};
  if (input.is_object() && input.contains("id")) line["id"] = input["id"];
  line["ok"] = r.ok;
  if (r.output.is_object()) {
    for (auto it = r.output.begin(); it != r.output.end(); ++it) line[it.key()] = it.value();
  }
  if (!r.ok) line["error"] = r.error;
  return DumpJson(line);
}

}  // namespace

Result<BatchProgress> RunBatch(const BatchOptions& options, const BatchProcessor& process) {
  Clock& clock = options.clock ? *options.clock : SystemClock::Default();
  TimePoint start = clock.Now();
  REAGENT_ASSIGN_OR_RETURN(Input input, ReadInput(options.in_path));
  REAGENT_RETURN_IF_ERROR(CheckDistinctIds(input));
  std::string state_path = options.state_path.empty() ? options.out_path + ".state.db" : options.state_path;
  REAGENT_ASSIGN_OR_RETURN(auto state, BatchState::Open(state_path, input.fingerprint));
  REAGENT_ASSIGN_OR_RETURN(auto results, state->Done());

  std::mutex mu;  // guards progress, results and the output stream
  BatchProgress progress;
  progress.total = static_cast<int64_t>(input.lines.size());
  // Failed items are not done: a rerun tries them again (their error may have been an outage
  // or a deadline); only successes are skipped.
  for (auto it = results.begin(); it != results.end();) {
    auto j = ParseJson(it->second);
    const bool ok = j.ok() && j->is_object() && j->contains("ok") && (*j)["ok"].is_boolean() &&
                    (*j)["ok"].get<bool>();
    if (ok) {
      ++progress.succeeded;
      ++it;
    } else {
      it = results.erase(it);
    }
  }
  progress.resumed = static_cast<int64_t>(results.size());
  progress.done = progress.resumed;
  // The output always starts as exactly what the checkpoint holds, then grows.
  REAGENT_RETURN_IF_ERROR(WriteOutput(options.out_path, results));
  std::ofstream out(options.out_path, std::ios::binary | std::ios::app);
  if (!out) return Status::IOError("cannot append to batch output " + options.out_path);

  ThroughputMeter throughput;  // guarded by mu
  std::atomic<int64_t> next{0};
  Status first_error;
  auto worker = [&] {
    for (;;) {
      if (options.stop.cancelled() || options.abort.cancelled()) return;
      int64_t index = next.fetch_add(1);
      if (index >= progress.total) return;
      {
        std::lock_guard lock(mu);
        if (results.count(index)) continue;
      }
      const std::string& raw = input.lines[static_cast<size_t>(index)];
      BatchItem item{index, Json()};
      BatchItemResult r;
      auto parsed = ParseLine(raw, index);
      if (IsBlank(raw)) {
        r.ok = false;
        r.error = "line " + std::to_string(index + 1) + " is blank";
      } else if (!parsed.ok()) {
        r.ok = false;
        r.error = parsed.status().message();
      } else {
        item.input = std::move(*parsed);
        r = process(item, options.abort);
      }
      if (options.abort.cancelled() && !r.ok) return;  // not finished: do it on the next run
      std::string line = ResultLine(index, item.input, r);
      Status s = state->Record(index, Fingerprint(raw), r.ok, line);
      std::lock_guard lock(mu);
      if (!s.ok()) {
        if (first_error.ok()) first_error = s;
        return;
      }
      results[index] = line;
      out << line << '\n';
      out.flush();
      throughput.Record(clock.Now());
      ++progress.done;
      r.ok ? ++progress.succeeded : ++progress.failed;
      progress.tokens += r.tokens;
      progress.cost_usd += r.cost_usd.value_or(0);
      progress.retries += r.retries;
      progress.rate_limited += r.rate_limited;
    }
  };

  CancellationSource finished;
  std::thread reporter([&] {
    while (clock.SleepFor(Seconds(options.progress_interval_s), finished.token())) {
      BatchProgress snapshot;
      const TimePoint now = clock.Now();
      {
        std::lock_guard lock(mu);
        snapshot = progress;
        snapshot.items_per_s = throughput.Rate(now);
      }
      snapshot.elapsed_s = ToSeconds(now - start);
      if (snapshot.items_per_s > 0) {
        snapshot.eta_s = static_cast<double>(snapshot.total - snapshot.done) / snapshot.items_per_s;
      }
      if (options.on_progress) options.on_progress(snapshot);
    }
  });
  std::vector<std::thread> workers;
  for (int i = 0; i < std::max(1, options.concurrency); ++i) workers.emplace_back(worker);
  for (auto& w : workers) w.join();
  finished.Cancel();
  reporter.join();
  out.close();

  REAGENT_RETURN_IF_ERROR(first_error);
  // Rewrite in input order (completion order differs when concurrency > 1).
  REAGENT_RETURN_IF_ERROR(WriteOutput(options.out_path, results));
  progress.elapsed_s = ToSeconds(clock.Now() - start);
  if (progress.elapsed_s > 0) {
    progress.items_per_s = static_cast<double>(progress.done - progress.resumed) / progress.elapsed_s;
  }
  progress.eta_s = progress.done == progress.total ? std::optional<double>(0) : std::nullopt;
  progress.final = true;
  if (options.on_progress) options.on_progress(progress);
  return progress;
}

}  // namespace reagent::cli
