// read_file and list_dir, confined to a root directory.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "reagent/tools/builtin_tools.h"

namespace reagent {
namespace {

using nlohmann::json;

// An open file descriptor, closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::string RealPath(const std::string& path, int* err) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    *err = errno;
    return {};
  }
  return buf;
}

// The directory tree the tools may read. Error texts show the path as the model wrote it,
// never the absolute root (which would tell the model about the server's layout).
class ConfinedRoot {
 public:
  explicit ConfinedRoot(std::string root) : root_(std::move(root)) {}

  static Result<ConfinedRoot> Open(const std::string& root) {
    if (root.empty()) return Status::InvalidArgument("file tools need a root directory");
    int err = 0;
    std::string real = RealPath(root, &err);
    struct stat st;
    if (real.empty() || ::stat(real.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return Status::InvalidArgument("file tool root \"" + root + "\" is not an existing directory");
    return ConfinedRoot(std::move(real));
  }

  // Opens rel (relative to root) after checking it cannot leave the root; the descriptor's
  // real path is checked again after opening, so a symlink swapped in meanwhile is caught.
  Result<Fd> OpenInside(std::string_view rel, int flags) const {
    REAGENT_RETURN_IF_ERROR(CheckSpelling(rel));
    const std::string candidate = rel.empty() ? root_ : root_ + "/" + std::string(rel);
    int err = 0;
    const std::string real = RealPath(candidate, &err);
    if (real.empty()) {
      if (err == ENOENT || err == ENOTDIR) return Status::NotFound("no such file or directory: " + Shown(rel));
      return Status::PermissionDenied("cannot resolve " + Shown(rel) + ": " + std::strerror(err));
    }
    if (!Inside(real)) return Status::PermissionDenied(Shown(rel) + " resolves outside the allowed directory");
    Fd fd(::open(real.c_str(), flags | O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
      if (errno == ELOOP) return Status::PermissionDenied(Shown(rel) + " is a symbolic link that changed while opening");
      if (errno == ENOTDIR) return Status::InvalidArgument(Shown(rel) + " is not a directory");
      return Status::PermissionDenied("cannot open " + Shown(rel) + ": " + std::strerror(errno));
    }
    const std::string opened = RealPath("/proc/self/fd/" + std::to_string(fd.get()), &err);
    if (opened.empty() || !Inside(opened)) return Status::PermissionDenied(Shown(rel) + " resolves outside the allowed directory");
    return fd;
  }

 private:
  static std::string Shown(std::string_view rel) { return rel.empty() ? "\".\"" : "\"" + std::string(rel) + "\""; }

  bool Inside(const std::string& real) const {
    if (root_ == "/") return true;
    return real == root_ || (real.size() > root_.size() && real.compare(0, root_.size(), root_) == 0 && real[root_.size()] == '/');
  }

  static Status CheckSpelling(std::string_view rel) {
    if (rel.find('\0') != std::string_view::npos) return Status::InvalidArgument("path contains a NUL byte");
    if (!rel.empty() && rel.front() == '/')
      return Status::PermissionDenied("absolute paths are not allowed (\"" + std::string(rel) + "\"); give a path relative to the allowed directory");
    // Percent-encoded '.', '/', '\' or NUL: a model (or an injected page) trying "%2e%2e%2f".
    for (std::size_t i = 0; i + 2 < rel.size(); ++i) {
      if (rel[i] != '%') continue;
      std::string code(rel.substr(i + 1, 2));
      std::transform(code.begin(), code.end(), code.begin(), [](unsigned char c) { return std::tolower(c); });
      if (code == "2e" || code == "2f" || code == "5c" || code == "00")
        return Status::PermissionDenied("percent-encoded path characters are not allowed (\"" + std::string(rel) + "\")");
    }
    std::size_t start = 0;
    while (start <= rel.size()) {
      std::size_t end = rel.find('/', start);
      if (end == std::string_view::npos) end = rel.size();
      if (rel.substr(start, end - start) == "..")
        return Status::PermissionDenied("\"..\" is not allowed in paths (\"" + std::string(rel) + "\")");
      start = end + 1;
    }
    return Status::Ok();
  }

  std::string root_;
};

ToolResult Refused(const Status& s) { return ToolResult::Error(tool_error::kFailed, s.message()); }

class ReadFileTool final : public Tool {
 public:
  ReadFileTool(ConfinedRoot root, FileToolOptions options)
      : Tool({.name = "read_file",
              .description = "Reads a text file, given its path relative to the working directory.",
              .parameters = json::parse(R"({"type":"object","properties":{"path":{"type":"string",
                  "description":"relative path, e.g. docs/README.md"}},"required":["path"]})")}),
        root_(std::move(root)),
        options_(std::move(options)) {}

 protected:
  ToolResult Run(const json& args, const ToolContext&) override {
    const auto& path = args["path"].get_ref<const std::string&>();
    Result<Fd> fd = root_.OpenInside(path, 0);
    if (!fd.ok()) return Refused(fd.status());
    struct stat st;
    if (::fstat(fd->get(), &st) != 0) return Refused(Status::IOError("cannot stat \"" + path + "\""));
    if (S_ISDIR(st.st_mode)) return Refused(Status::InvalidArgument("\"" + path + "\" is a directory; use list_dir"));
    if (!S_ISREG(st.st_mode)) return Refused(Status::PermissionDenied("\"" + path + "\" is not a regular file (device, FIFO or socket)"));
    if (static_cast<std::size_t>(st.st_size) > options_.max_file_bytes) return TooBig(path, static_cast<std::size_t>(st.st_size));
    std::string data;
    data.resize(options_.max_file_bytes + 1);
    std::size_t got = 0;
    while (got < data.size()) {
      const ssize_t n = ::read(fd->get(), data.data() + got, data.size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Refused(Status::IOError("cannot read \"" + path + "\": " + std::strerror(errno)));
      if (n == 0) break;
      got += static_cast<std::size_t>(n);
    }
    if (got > options_.max_file_bytes) return TooBig(path, got);  // it grew after fstat
    data.resize(got);
    if (data.empty()) return ToolResult::Text("(empty file)");
    return ToolResult::Text(std::move(data));
  }

 private:
  ToolResult TooBig(const std::string& path, std::size_t size) const {
    return Refused(Status::ResourceExhausted("\"" + path + "\" is " + (size > options_.max_file_bytes ? "larger than" : "") +
                                             " the " + std::to_string(options_.max_file_bytes) + "-byte limit (" +
                                             std::to_string(size) + " bytes)"));
  }

  ConfinedRoot root_;
  FileToolOptions options_;
};

class ListDirTool final : public Tool {
 public:
  ListDirTool(ConfinedRoot root, FileToolOptions options)
      : Tool({.name = "list_dir",
              .description = "Lists the files and directories in a directory, given its path relative to the "
                             "working directory (default: the working directory itself).",
              .parameters = json::parse(R"({"type":"object","properties":{"path":{"type":"string",
                  "description":"relative path; omit for the top directory"}}})")}),
        root_(std::move(root)),
        options_(std::move(options)) {}

 protected:
  ToolResult Run(const json& args, const ToolContext&) override {
    std::string path = args.value("path", "");
    if (path == ".") path.clear();
    Result<Fd> fd = root_.OpenInside(path, O_DIRECTORY);
    if (!fd.ok()) return Refused(fd.status());
    DIR* dir = ::fdopendir(fd->get());
    if (dir == nullptr) return Refused(Status::IOError("cannot list \"" + path + "\": " + std::strerror(errno)));
    fd->release();  // owned by dir now
    // Names first, sorted, so the cap keeps the same entries on every call.
    std::vector<std::string> names;
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    std::sort(names.begin(), names.end());
    const std::size_t total = names.size();
    std::vector<std::string> entries;
    for (std::size_t i = 0; i < total && i < options_.max_entries; ++i) {
      struct stat st;
      std::string shown = names[i];
      if (::fstatat(::dirfd(dir), names[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(st.st_mode)) shown += "/";
        else if (S_ISLNK(st.st_mode)) shown += "@";
      }
      entries.push_back(std::move(shown));
    }
    ::closedir(dir);
    if (entries.empty()) return ToolResult::Text("(empty directory)");
    std::string text;
    for (const auto& e : entries) text += e + "\n";
    if (total > entries.size()) text += "[" + std::to_string(total - entries.size()) + " more entries not listed]\n";
    ToolResult r = ToolResult::Text(std::move(text));
    r.structured = json{{"entries", entries}, {"total", total}};
    return r;
  }

 private:
  ConfinedRoot root_;
  FileToolOptions options_;
};

}  // namespace

Result<std::shared_ptr<Tool>> MakeReadFileTool(FileToolOptions options) {
  REAGENT_ASSIGN_OR_RETURN(ConfinedRoot root, ConfinedRoot::Open(options.root));
  return std::shared_ptr<Tool>(std::make_shared<ReadFileTool>(std::move(root), std::move(options)));
}

Result<std::shared_ptr<Tool>> MakeListDirTool(FileToolOptions options) {
  REAGENT_ASSIGN_OR_RETURN(ConfinedRoot root, ConfinedRoot::Open(options.root));
  return std::shared_ptr<Tool>(std::make_shared<ListDirTool>(std::move(root), std::move(options)));
}

}  // namespace reagent
