// Lines from a file descriptor (standard input, a pipe, a file), read in large blocks — no
// per-character stream calls, no stdio locking — and never more than a stated number of bytes
// of one line: the JSON-lines modes (`scan --jsonl`, `tokens --jsonl`) stream many megabytes
// through it, and a stream that never sends a newline must not fill memory.
//
//   LineReader lines(STDIN_FILENO, kMaxJsonLineBytes, {.before_wait = [&] { Flush(out); }});
//   while (auto line = lines.Next()) { if (line->too_long) ...; Use(line->text); }
//   if (!lines.error().empty()) ...
//
// Lines are what std::getline gives: without their '\n', the last one returned even without
// a final newline. A line longer than max_line_bytes comes back cut to that length and marked
// too_long as soon as the limit is passed (so the caller can report it at once); the rest of
// it is skipped. Not thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace reagent {

struct LineReaderOptions {
  // Remove one '\r' before the end of a line (CRLF input). The limit counts it all the same.
  // Off where a line is answered byte for byte as it came (`scan --jsonl` error offsets).
  bool strip_cr = true;
  // Runs before each read that may block, so a caller can flush the answers to the lines it
  // has so far: a line-at-a-time conversation over a pipe then works.
  std::function<void()> before_wait;
};

class LineReader {
 public:
  struct Line {
    std::string_view text;  // the line (its first max_line_bytes when too_long); valid until
                            // the next call of Next()
    size_t number = 0;      // 1-based
    bool too_long = false;
  };

  // Reads `fd` (not closed here) from its current position.
  LineReader(int fd, size_t max_line_bytes, LineReaderOptions options = {});

  // The next line; nullopt at the end of the input or on a read error (then error() says
  // what failed).
  std::optional<Line> Next();
  // Empty unless reading stopped on an I/O error: "reading the input failed: <reason>".
  const std::string& error() const { return error_; }
  size_t max_line_bytes() const { return max_line_bytes_; }

 private:
  bool Fill();  // reads more; false at the end of the input or on an error
  Line Numbered(std::string_view text, bool too_long);

  int fd_;
  size_t max_line_bytes_;
  LineReaderOptions options_;
  std::string buffer_;
  size_t begin_ = 0, end_ = 0;  // unread bytes: buffer_[begin_, end_)
  size_t scanned_ = 0;          // buffer_[begin_, scanned_) holds no '\n'
  bool eof_ = false;
  bool skipping_ = false;  // inside the rest of a too-long line
  size_t number_ = 0;
  std::string error_;
};

}  // namespace reagent
