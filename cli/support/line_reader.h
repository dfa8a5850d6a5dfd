// Lines from a file descriptor, read in large blocks (no per-character stream calls, no
// stdio synchronisation), for the `--jsonl` modes that stream many megabytes through stdin.
//
//   LineReader lines(STDIN_FILENO, [&] { Flush(out); });
//   while (std::optional<std::string_view> line = lines.Next()) Handle(*line);
//   if (!lines.error().empty()) ...
//
// Lines are what std::getline gives: without their '\n', the last one returned even without
// a final newline. A line longer than max_line_bytes comes back cut to that length with
// too_long() set, as soon as the limit is passed (so a stream that never sends a newline is
// reported at once and never fills memory); the rest of it is skipped.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace reagent::cli {

class LineReader {
 public:
  // `before_wait` (optional) runs before each read that may block, so a caller can flush the
  // answers to the lines it has so far: a line-at-a-time conversation over a pipe works.
  LineReader(int fd, size_t max_line_bytes, std::function<void()> before_wait = {});

  // The next line, valid until the next call; nullopt at the end of the input or on a read
  // error (then error() says what failed).
  std::optional<std::string_view> Next();
  const std::string& error() const { return error_; }
  // Whether the line Next() returned last was longer than max_line_bytes (and cut).
  bool too_long() const { return too_long_; }
  // The 1-based number of the line Next() returned last.
  size_t number() const { return number_; }

 private:
  bool Fill();  // reads more; false at end of input or error

  int fd_;
  size_t max_line_bytes_;
  std::function<void()> before_wait_;
  std::string buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes: buffer_[begin_, end_)
  size_t scanned_ = 0;          // buffer_[begin_, scanned_) holds no '\n'
  bool eof_ = false;
  bool skipping_ = false;  // inside the rest of a too-long line
  bool too_long_ = false;
  size_t number_ = 0;
  std::string error_;
};

}  // namespace reagent::cli
