// The checkpoint of `reagent batch`: one SQLite file beside the output that records each
// finished item (its input line number, a hash of its input, and its result line) in its own
// transaction. A batch killed at any moment — SIGKILL included — resumes by skipping every
// recorded item, so no item is processed twice and none is lost.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "reagent/core/status.h"

struct sqlite3;

namespace reagent::cli {

class BatchState {
 public:
  // Opens or creates the checkpoint. `input_fingerprint` identifies the input file's content:
  // resuming with a different input is refused (a clear error) instead of mixing results.
  static Result<std::unique_ptr<BatchState>> Open(const std::string& path,
                                                  const std::string& input_fingerprint);
  ~BatchState();
  BatchState(const BatchState&) = delete;
  BatchState& operator=(const BatchState&) = delete;

  // Results recorded so far, by input line index (0-based). Read once at start.
  Result<std::map<int64_t, std::string>> Done() const;

  // Records one item's result line durably (synchronous=FULL). Thread-safe.
  Status Record(int64_t index, const std::string& input_hash, bool ok, const std::string& result_line);

 private:
  explicit BatchState(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// FNV-1a 64-bit as 16 hex digits: a fingerprint for change detection, not for security.
std::string Fingerprint(std::string_view data);

}  // namespace reagent::cli
