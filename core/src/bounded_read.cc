#include "reagent/core/bounded_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace reagent {
namespace {

constexpr size_t kChunk = size_t{64} << 10;

std::string_view KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string Limit(size_t max_bytes, std::string_view limit_name) {
  std::string out = "the limit of " + DescribeBytes(max_bytes);
  if (!limit_name.empty()) out += ", " + std::string(limit_name);
  return out;
}

// Closes a descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string DescribeBytes(size_t bytes) {
  std::string out = std::to_string(bytes) + " bytes";
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) {
    out += " (" + std::to_string(bytes >> 20) + " MiB)";
  } else if (bytes >= (size_t{1} << 10) && bytes % (size_t{1} << 10) == 0) {
    out += " (" + std::to_string(bytes >> 10) + " KiB)";
  }
  return out;
}

Result<std::string> ReadFileBounded(const std::string& path, size_t max_bytes,
                                    std::string_view limit_name, OverLimit over) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it.
  Fd file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) {
    const int err = errno;
    std::string why = std::strerror(err);
    if (err == EACCES || err == EPERM) return Status::PermissionDenied("cannot open " + path + ": " + why);
    return Status::NotFound("cannot open " + path + ": " + why);
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return Status::IOError("cannot stat " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(path + " is " + std::string(KindOf(st.st_mode)) +
                                   ", not a regular file");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size > max_bytes && over == OverLimit::kFail) {
    return Status::InvalidArgument(path + " is " + DescribeBytes(size) + ", more than " +
                                   Limit(max_bytes, limit_name));
  }
  // Read at most one byte past the limit: enough to know the file is (still) too long, even
  // when it grew after fstat.
  const size_t cap = max_bytes == SIZE_MAX ? max_bytes : max_bytes + 1;
  std::string data;
  data.reserve(std::min(size, cap));
  char buffer[kChunk];
  while (data.size() < cap) {
    const ssize_t n = ::read(file.fd, buffer, std::min(sizeof buffer, cap - data.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  if (data.size() > max_bytes && over == OverLimit::kFail) {
    return Status::InvalidArgument(path + " is more than " + Limit(max_bytes, limit_name));
  }
  return data;
}

Result<std::string> ReadStreamBounded(std::FILE* in, size_t max_bytes, std::string_view what,
                                      std::string_view limit_name) {
  std::string data;
  char buffer[kChunk];
  while (true) {
    const size_t room = max_bytes - std::min(max_bytes, data.size());
    const size_t n = std::fread(buffer, 1, std::min(sizeof buffer, room + 1), in);
    if (n == 0) break;
    if (n > room) {
      return Status::InvalidArgument(std::string(what) + " is more than " +
                                     Limit(max_bytes, limit_name));
    }
    data.append(buffer, n);
  }
  if (std::ferror(in)) return Status::IOError("cannot read " + std::string(what));
  return data;
}

LineReader::LineReader(std::FILE* in, size_t max_line_bytes)
    : in_(in), max_line_bytes_(max_line_bytes) {}

bool LineReader::Fill() {
  if (eof_) return false;
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  }
  const size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  const size_t n = std::fread(buffer_.data() + old, 1, kChunk, in_);
  buffer_.resize(old + n);
  if (n == 0) {
    eof_ = true;
    error_ = std::ferror(in_) != 0;
  }
  return n > 0;
}

std::optional<LineReader::Line> LineReader::Next() {
  // The rest of a too-long line returned earlier.
  while (skipping_) {
    if (pos_ == buffer_.size() && !Fill()) return std::nullopt;
    const void* nl = std::memchr(buffer_.data() + pos_, '\n', buffer_.size() - pos_);
    if (nl) {
      pos_ = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data()) + 1;
      skipping_ = false;
    } else {
      pos_ = buffer_.size();
    }
  }
  Line line;
  bool any = false;
  while (true) {
    if (pos_ == buffer_.size() && !Fill()) break;
    any = true;
    const char* begin = buffer_.data() + pos_;
    const size_t avail = buffer_.size() - pos_;
    const void* nl = std::memchr(begin, '\n', avail);
    const size_t len = nl ? static_cast<size_t>(static_cast<const char*>(nl) - begin) : avail;
    const size_t room = max_line_bytes_ - line.text.size();
    if (len > room) {
      line.text.append(begin, room);
      line.too_long = true;
      pos_ += room;
      skipping_ = true;
      break;
    }
    line.text.append(begin, len);
    pos_ += nl ? len + 1 : len;
    if (nl) break;
  }
  if (!any) return std::nullopt;
  if (!line.too_long && !line.text.empty() && line.text.back() == '\r') line.text.pop_back();
  line.number = ++number_;
  return line;
}

}  // namespace reagent
