// The stdio transport: the server is a child process; newline-delimited JSON-RPC on its
// stdin/stdout, its stderr kept as a tail for error messages.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "jsonrpc.h"
#include "process_spawn.h"
#include "reagent/core/json.h"
#include "reagent/core/logging.h"
#include "reagent/mcp/mcp_client.h"
#include "transport.h"

namespace reagent::mcp_internal {
namespace {

// What a Node-based server needs to start (the official SDK passes the same set).
constexpr const char* kDefaultEnv[] = {"HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"};
// Bytes of stderr kept for error messages: the last lines, not the whole log.
constexpr std::size_t kStderrTailBytes = 2048;
// Head and tail of an oversized line kept to recover its id.
constexpr std::size_t kOversizeProbeBytes = 256;
// Lines on stdout that are not JSON-RPC tolerated (banners printed by mistake) before the
// stream is declared broken.
constexpr int kMaxGarbageLines = 16;
// Shutdown: after closing stdin, time for the server to exit by itself, then after SIGTERM.
constexpr auto kExitGrace = std::chrono::milliseconds(1000);
constexpr auto kTermGrace = std::chrono::milliseconds(1000);
// How long the reader waits for the exit status once stdout has closed.
constexpr auto kExitStatusWait = std::chrono::milliseconds(300);

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "stopped";
}

class StdioTransport final : public Transport {
 public:
  explicit StdioTransport(McpServerConfig config) : config_(std::move(config)) {}
  ~StdioTransport() override { Close(); }

  const char* kind() const override { return "stdio"; }

  Status Start(TransportEvents events) override {
    events_ = std::move(events);
    tools_internal::SpawnSpec spec{.argv = config_.command, .cwd = config_.cwd, .env = {}};
    auto add_from_env = [&](const std::string& name) {
      if (const char* v = std::getenv(name.c_str())) spec.env.push_back(name + "=" + v);
    };
    for (const char* name : kDefaultEnv)
      if (!config_.env.count(name)) add_from_env(name);
    for (const auto& name : config_.pass_env)
      if (!config_.env.count(name)) add_from_env(name);
    for (const auto& [k, v] : config_.env) spec.env.push_back(k + "=" + ExpandEnvReferences(v));
    REAGENT_ASSIGN_OR_RETURN(proc_, tools_internal::SpawnInNewGroup(spec));
    if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
      KillGroup(SIGKILL);
      Reap(true);
      return Status::Internal(std::string("pipe: ") + std::strerror(errno));
    }
    reader_ = std::thread([this] { ReadLoop(); });
    return Status::Ok();
  }

  Status Send(const nlohmann::json& message, const SendOptions& options) override {
    const std::string line = DumpJson(message) + "\n";
    std::lock_guard lock(write_mu_);
    if (stdin_closed_) return Status::Unavailable(WhyGone());
    tools_internal::SigpipeBlock sigpipe_block;
    std::size_t written = 0;
    while (written < line.size()) {
      const ssize_t n = ::write(proc_.stdin_fd, line.data() + written, line.size() - written);
      if (n > 0) {
        written += static_cast<std::size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN) {
        return Status::Unavailable(errno == EPIPE ? WhyGone() : std::string("writing to the server: ") + std::strerror(errno));
      }
      // The pipe is full: the server is not reading. Wait, but never past the deadline.
      if (options.cancel.cancelled()) return Status::Cancelled("cancelled while the server was not reading its input");
      const auto left = options.deadline - std::chrono::steady_clock::now();
      if (left <= std::chrono::steady_clock::duration::zero())
        return Status::DeadlineExceeded("the server stopped reading its input");
      pollfd p{proc_.stdin_fd, POLLOUT, 0};
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(left).count();
      ::poll(&p, 1, static_cast<int>(std::min<int64_t>(ms + 1, 50)));
    }
    return Status::Ok();
  }

  void Close() override {
    std::call_once(close_once_, [this] {
      closing_ = true;
      if (proc_.pid <= 0) return;
      {
        std::lock_guard lock(write_mu_);
        CloseFd(proc_.stdin_fd);
        stdin_closed_ = true;
      }
      // The specification's order: stdin closed, a moment to exit, SIGTERM, SIGKILL.
      if (!WaitExit(kExitGrace)) {
        KillGroup(SIGTERM);
        if (!WaitExit(kTermGrace)) KillGroup(SIGKILL);
      }
      if (wake_[1] >= 0) (void)!::write(wake_[1], "x", 1);
      if (reader_.joinable()) reader_.join();
      Reap(true);
      KillGroup(SIGKILL);  // stragglers the server left in its group
      CloseFd(proc_.stdout_fd);
      CloseFd(proc_.stderr_fd);
      CloseFd(wake_[0]);
      CloseFd(wake_[1]);
    });
  }

 private:
  static void CloseFd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }

  void KillGroup(int sig) {
    if (proc_.pid > 0 && !group_gone_) {
      if (::kill(-proc_.pid, sig) != 0 && errno == ESRCH) group_gone_ = true;
    }
  }

  // Reaps the child if it has exited (blocking: waits for it). Records the status once.
  bool Reap(bool block) {
    std::lock_guard lock(status_mu_);
    if (reaped_) return true;
    int status = 0;
    pid_t r;
    do {
      r = ::waitpid(proc_.pid, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == proc_.pid) {
      reaped_ = true;
      exit_status_ = status;
      return true;
    }
    if (r < 0) reaped_ = true;  // not our child any more
    return reaped_;
  }

  bool WaitExit(std::chrono::milliseconds grace) {
    const auto until = std::chrono::steady_clock::now() + grace;
    while (!Reap(false)) {
      if (std::chrono::steady_clock::now() >= until) return false;
      ::poll(nullptr, 0, 5);
    }
    return true;
  }

  std::string StderrTail() {
    std::lock_guard lock(status_mu_);
    std::string tail = ShowableText(stderr_tail_, kStderrTailBytes);
    // The last few lines say most: keep at most the last 400 bytes on one line.
    if (tail.size() > 400) tail = "…" + tail.substr(tail.size() - 400);
    for (char& c : tail)
      if (c == '\n') c = ' ';
    return tail;
  }

  std::string WhyGone() {
    // A broken pipe means the server is exiting: wait briefly so the message can say how it ended.
    WaitExit(std::chrono::duration_cast<std::chrono::milliseconds>(kExitStatusWait));
    std::string why;
    {
      std::lock_guard lock(status_mu_);
      if (!gone_reason_.empty()) return gone_reason_;
      why = reaped_ && exit_status_ ? "the server " + DescribeStatus(*exit_status_) : "the server closed its input";
    }
    const std::string tail = StderrTail();
    return tail.empty() ? why : why + ": " + tail;
  }

  void ReportClosed(const std::string& reason) {
    {
      std::lock_guard lock(status_mu_);
      if (gone_reason_.empty()) gone_reason_ = reason;
    }
    {
      std::lock_guard lock(write_mu_);
      stdin_closed_ = true;
    }
    if (!closing_ && events_.closed) events_.closed(reason);
  }

  void ReadLoop() {
    char buf[65536];
    bool out_open = true, err_open = true;
    while (out_open) {
      pollfd fds[3] = {{proc_.stdout_fd, POLLIN, 0}, {wake_[0], POLLIN, 0}, {err_open ? proc_.stderr_fd : -1, POLLIN, 0}};
      if (::poll(fds, 3, -1) < 0 && errno != EINTR) break;
      if (fds[1].revents) return;  // Close() woke us
      if (err_open && fds[2].revents) err_open = DrainStderr(buf, sizeof buf);
      if (fds[0].revents) {
        for (;;) {
          const ssize_t n = ::read(proc_.stdout_fd, buf, sizeof buf);
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) {
            out_open = errno == EAGAIN;
            break;
          }
          if (n == 0) {
            out_open = false;
            break;
          }
          if (!Consume(std::string_view(buf, static_cast<std::size_t>(n)))) return;
        }
      }
    }
    // stdout is closed: the server is gone (or going). Take the rest of stderr and the status.
    if (err_open) DrainStderr(buf, sizeof buf);
    WaitExit(std::chrono::duration_cast<std::chrono::milliseconds>(kExitStatusWait));
    if (closing_) return;
    std::string reason;
    {
      std::lock_guard lock(status_mu_);
      reason = exit_status_ ? "the server " + DescribeStatus(*exit_status_) : "the server closed its output";
    }
    const std::string tail = StderrTail();
    ReportClosed(tail.empty() ? reason : reason + ": " + tail);
  }

  bool DrainStderr(char* buf, std::size_t size) {
    for (;;) {
      const ssize_t n = ::read(proc_.stderr_fd, buf, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno == EAGAIN;
      if (n == 0) return false;
      std::lock_guard lock(status_mu_);
      stderr_tail_.append(buf, static_cast<std::size_t>(n));
      if (stderr_tail_.size() > 2 * kStderrTailBytes) stderr_tail_.erase(0, stderr_tail_.size() - kStderrTailBytes);
    }
  }

  // Splits stdout into lines; false when the stream was declared broken.
  bool Consume(std::string_view bytes) {
    while (!bytes.empty()) {
      const std::size_t nl = bytes.find('\n');
      const std::string_view piece = bytes.substr(0, nl);
      if (oversize_) {
        oversize_bytes_ += piece.size();
        oversize_tail_.append(piece);
        if (oversize_tail_.size() > 2 * kOversizeProbeBytes)
          oversize_tail_.erase(0, oversize_tail_.size() - kOversizeProbeBytes);
      } else if (line_.size() + piece.size() > config_.max_message_bytes) {
        oversize_ = true;
        oversize_bytes_ = line_.size() + piece.size();
        line_.append(piece.substr(0, std::min(piece.size(), kOversizeProbeBytes)));
        oversize_head_ = line_.substr(0, kOversizeProbeBytes);
        oversize_tail_.assign(piece.substr(piece.size() - std::min(piece.size(), kOversizeProbeBytes)));
        line_.clear();
        // Fail the call at once when the head already names it; the rest is read and dropped.
        if (auto id = RecoverId(oversize_head_, {})) {
          oversize_reported_ = true;
          ReportOversize(id);
        }
      } else {
        line_.append(piece);
      }
      if (nl == std::string_view::npos) return true;
      bytes.remove_prefix(nl + 1);
      if (oversize_) {
        if (!oversize_reported_) ReportOversize(RecoverId(oversize_head_, oversize_tail_));
        oversize_ = oversize_reported_ = false;
        oversize_head_.clear();
        oversize_tail_.clear();
        continue;
      }
      std::string line = std::move(line_);
      line_.clear();
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      if (!TakeLine(line)) return false;
    }
    return true;
  }

  void ReportOversize(const std::optional<nlohmann::json>& id) {
    if (events_.bad_message)
      events_.bad_message(id, "the server sent a message of more than " + std::to_string(config_.max_message_bytes) +
                                  " bytes (the limit is max_message_bytes)");
  }

  bool TakeLine(const std::string& line) {
    Result<nlohmann::json> parsed = ParseMessage(line, kMcpMaxJsonDepth);
    if (!parsed.ok()) {
      // JSON that is too deep (or broken) but names its request fails that request.
      const std::string_view view(line);
      if (auto id = RecoverId(view.substr(0, kOversizeProbeBytes),
                              view.substr(view.size() > kOversizeProbeBytes ? view.size() - kOversizeProbeBytes : 0))) {
        if (events_.bad_message) events_.bad_message(id, "the server's answer could not be read: " + parsed.status().message());
        return true;
      }
      const std::string sample = ShowableText(line, 120);
      if (++garbage_lines_ > kMaxGarbageLines) {
        const std::string reason = "the server keeps writing output that is not JSON-RPC to stdout (\"" + sample + "\")";
        ReportClosed(reason);
        KillGroup(SIGKILL);
        return false;
      }
      Logger()->warn("mcp {}: ignoring a line on stdout that is not JSON-RPC: \"{}\"", config_.name, sample);
      if (events_.noise) events_.noise(sample);
      return true;
    }
    if (parsed->is_array()) {
      for (auto& m : *parsed) events_.message(std::move(m));
    } else {
      events_.message(std::move(*parsed));
    }
    return true;
  }

  McpServerConfig config_;
  TransportEvents events_;
  tools_internal::SpawnedProcess proc_;
  int wake_[2] = {-1, -1};
  std::thread reader_;
  std::once_flag close_once_;
  std::atomic<bool> closing_{false};
  bool group_gone_ = false;

  std::mutex write_mu_;
  bool stdin_closed_ = false;

  std::mutex status_mu_;
  bool reaped_ = false;
  std::optional<int> exit_status_;
  std::string stderr_tail_;
  std::string gone_reason_;

  // Reader-thread state.
  std::string line_;
  bool oversize_ = false, oversize_reported_ = false;
  std::size_t oversize_bytes_ = 0;
  std::string oversize_head_, oversize_tail_;
  int garbage_lines_ = 0;
};

}  // namespace

std::unique_ptr<Transport> MakeStdioTransport(const McpServerConfig& config) {
  return std::make_unique<StdioTransport>(config);
}

}  // namespace reagent::mcp_internal
