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

}  // namespace reagent
