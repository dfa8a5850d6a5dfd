#include "support/line_reader.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace reagent::cli {
namespace {

// Bytes asked for per read: large enough that the system call cost vanishes.
constexpr size_t kBlock = 1 << 20;

}  // namespace

LineReader::LineReader(int fd, size_t max_line_bytes, std::function<void()> before_wait)
    : fd_(fd), max_line_bytes_(max_line_bytes), before_wait_(std::move(before_wait)) {}

std::optional<std::string_view> LineReader::Next() {
  too_long_ = false;
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
        ++number_;
        if (line.size() > max_line_bytes_) {
          too_long_ = true;
          line = line.substr(0, max_line_bytes_);
        }
        return line;
      }
      scanned_ = end_;
      if (skipping_) {
        begin_ = end_;  // drop what is read of the too-long line
      } else if (end_ - begin_ > max_line_bytes_) {
        std::string_view head(buffer_.data() + begin_, max_line_bytes_);
        begin_ = end_;
        skipping_ = too_long_ = true;
        ++number_;
        return head;
      }
    }
    if (!Fill()) {
      if (begin_ == end_ || skipping_) return std::nullopt;
      std::string_view last(buffer_.data() + begin_, end_ - begin_);  // no final newline
      begin_ = scanned_ = end_;
      ++number_;
      return last;
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
  if (before_wait_) before_wait_();
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

}  // namespace reagent::cli
