#include "reagent/core/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace reagent {
namespace {

// Bytes asked for per read: large enough that the system call cost vanishes.
constexpr size_t kBlock = size_t{1} << 20;

}  // namespace

LineReader::LineReader(int fd, size_t max_line_bytes, LineReaderOptions options)
    : fd_(fd), max_line_bytes_(max_line_bytes), options_(std::move(options)) {}

LineReader::Line LineReader::Numbered(std::string_view text, bool too_long) {
  if (!too_long && options_.strip_cr && !text.empty() && text.back() == '\r') text.remove_suffix(1);
  return Line{.text = text, .number = ++number_, .too_long = too_long};
}

std::optional<LineReader::Line> LineReader::Next() {
  while (true) {
    if (scanned_ < end_) {
      const void* nl = std::memchr(buffer_.data() + scanned_, '\n', end_ - scanned_);
      if (nl != nullptr) {
        const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data());
        std::string_view line(buffer_.data() + begin_, at - begin_);
        begin_ = scanned_ = at + 1;
        if (skipping_) {  // the end of a line already reported as too long
          skipping_ = false;
          continue;
        }
        if (line.size() > max_line_bytes_) return Numbered(line.substr(0, max_line_bytes_), true);
        return Numbered(line, false);
      }
      scanned_ = end_;
      if (skipping_) {
        begin_ = end_;  // drop what is read of the too-long line
      } else if (end_ - begin_ > max_line_bytes_) {
        std::string_view head(buffer_.data() + begin_, max_line_bytes_);
        begin_ = end_;
        skipping_ = true;
        return Numbered(head, true);
      }
    }
    if (!Fill()) {
      if (begin_ == end_ || skipping_) return std::nullopt;
      std::string_view last(buffer_.data() + begin_, end_ - begin_);  // no final newline
      begin_ = scanned_ = end_;
      return Numbered(last, false);
    }
  }
}

bool LineReader::Fill() {
  if (eof_) return false;
  // Keep the unfinished line; make room for a block after it.
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    scanned_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < end_ + kBlock) buffer_.resize(end_ + kBlock);
  if (options_.before_wait) options_.before_wait();
  while (true) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n > 0) {
      end_ += static_cast<size_t>(n);
      return true;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    error_ = std::string("reading the input failed: ") + std::strerror(errno);
    break;
  }
  eof_ = true;
  return false;
}

}  // namespace reagent
