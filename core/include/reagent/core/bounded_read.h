// Reading files and streams from outside with a limit. A path may name a directory, a device
// (/dev/zero never ends) or a FIFO, and a stream may never send a newline: every read here
// stops at a stated number of bytes and says which limit it hit, so no input can grow memory
// without bound or surface as an uncaught std::ios_failure.
//
//   auto text = ReadFileBounded("page.html", 1 << 20, "--max-bytes");
//   LineReader lines(stdin, 1 << 20);
//   while (auto line = lines.Next()) { if (line->too_long) ...; Use(line->text); }
#pragma once

#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "reagent/core/status.h"

namespace reagent {

// The longest JSON line the line-oriented commands read (scan/tokens --jsonl, batch input):
// a line is one item, and one item is never this large legitimately.
inline constexpr size_t kMaxJsonLineBytes = size_t{16} << 20;
// The most a command reads from standard input as one text (a question, text to count).
inline constexpr size_t kMaxStdinBytes = size_t{64} << 20;

// What to do when a file is larger than the limit.
enum class OverLimit {
  kFail,      // InvalidArgument naming the path, the size and the limit
  kTruncate,  // return the first max_bytes + 1 bytes, so the caller sees it is too long
};

// Reads the regular file at `path`, at most max_bytes. A directory, device, FIFO or socket is
// refused (InvalidArgument, "… is a directory, not a regular file"); a missing or unreadable
// file is NotFound / PermissionDenied; read errors are IOError. `limit_name` ("--max-bytes")
// is named in the oversize error so the user knows what to raise.
Result<std::string> ReadFileBounded(const std::string& path, size_t max_bytes,
                                    std::string_view limit_name = {},
                                    OverLimit over = OverLimit::kFail);

// Reads an open stream (standard input) to its end, at most max_bytes; more is an
// InvalidArgument naming `what` ("standard input") and the limit.
Result<std::string> ReadStreamBounded(std::FILE* in, size_t max_bytes, std::string_view what,
                                      std::string_view limit_name = {});

// Reads lines (ending in "\n", a trailing "\r" removed) from a stream, never holding more
// than max_line_bytes of one line. A longer line comes back marked too_long as soon as the
// limit is passed (so the caller can report it at once, even on a stream that never sends a
// newline); the rest of it is skipped by the next call. Not thread-safe.
class LineReader {
 public:
  struct Line {
    std::string text;     // the line (its first max_line_bytes when too_long)
    size_t number = 0;    // 1-based
    bool too_long = false;
  };

  LineReader(std::FILE* in, size_t max_line_bytes);

  // The next line; nullopt at the end of the input (or on a read error: see error()).
  std::optional<Line> Next();
  // Whether reading stopped on an I/O error rather than the end of the input.
  bool error() const { return error_; }
  size_t max_line_bytes() const { return max_line_bytes_; }

 private:
  bool Fill();  // reads more input into buffer_; false at the end

  std::FILE* in_;
  size_t max_line_bytes_;
  std::string buffer_;  // read ahead, consumed from pos_
  size_t pos_ = 0;
  size_t number_ = 0;
  bool skipping_ = false;  // inside the rest of a too-long line
  bool eof_ = false;
  bool error_ = false;
};

// "1048576 bytes (1 MiB)": a byte count for limit messages.
std::string DescribeBytes(size_t bytes);

}  // namespace reagent
