// Reading files and streams from outside with a limit. A path may name a directory, a device
// (/dev/zero never ends) or a FIFO, and a stream may never send a newline: every read here
// stops at a stated number of bytes and says which limit it hit, so no input can grow memory
// without bound or surface as an uncaught std::ios_failure.
//
//   auto text = ReadFileBounded("page.html", 1 << 20, "--max-bytes");
//
// Lines of a stream, each bounded, are read by LineReader (line_reader.h).
#pragma once

#include <cstddef>
#include <cstdio>
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

// "1048576 bytes (1 MiB)": a byte count for limit messages.
std::string DescribeBytes(size_t bytes);

}  // namespace reagent
