#include "subprocess.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "process_spawn.h"

namespace reagent::tools_internal {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// How often the wait loop wakes to look at cancellation and at a child that closed its pipes
// but has not exited: short enough to be prompt, long enough not to spin.
constexpr int kPollSliceMs = 20;
constexpr int kReapSliceMs = 2;

// One owned descriptor; the loop below closes each as soon as it is done with it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

int MillisUntil(SteadyTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - std::chrono::steady_clock::now()).count();
  return ms < 0 ? 0 : ms > kPollSliceMs ? kPollSliceMs : static_cast<int>(ms);
}

// Waits up to `until` for the child to exit; true when reaped.
bool ReapUntil(pid_t pid, int* status, SteadyTime until) {
  for (;;) {
    const pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    ::poll(nullptr, 0, kReapSliceMs);
  }
}

}  // namespace

Result<ProcessOutcome> RunProcess(const ProcessSpec& spec) {
  REAGENT_ASSIGN_OR_RETURN(SpawnedProcess child, SpawnInNewGroup(spec.program));
  const pid_t pid = child.pid;
  Fd in(child.stdin_fd), out(child.stdout_fd), err(child.stderr_fd);

  SigpipeBlock sigpipe_block;
  ProcessOutcome outcome;
  const SteadyTime deadline = std::chrono::steady_clock::now() + spec.timeout;
  std::size_t written = 0;
  if (spec.stdin_data.empty()) in.Close();
  int status = 0;
  bool reaped = false;
  char buf[16384];

  auto drain = [&](int fd, bool is_stdout) {  // reads what is available; false at EOF
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno == EAGAIN;
      if (n == 0) return false;
      const auto got = static_cast<std::size_t>(n);
      if (is_stdout) {
        outcome.stdout_total += got;
        const std::size_t room = spec.max_stdout_bytes - std::min(spec.max_stdout_bytes, outcome.stdout_data.size());
        outcome.stdout_data.append(buf, std::min(room, got));
      } else {
        outcome.stderr_tail.append(buf, got);
        if (outcome.stderr_tail.size() > spec.stderr_tail_bytes)
          outcome.stderr_tail.erase(0, outcome.stderr_tail.size() - spec.stderr_tail_bytes);
      }
    }
  };

  for (;;) {
    if (spec.cancel.cancelled()) {
      outcome.cancelled = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      outcome.timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    if (in.get() >= 0) fds[n++] = {in.get(), POLLOUT, 0};
    if (out.get() >= 0) fds[n++] = {out.get(), POLLIN, 0};
    if (err.get() >= 0) fds[n++] = {err.get(), POLLIN, 0};
    // With every pipe closed, only the exit is left to wait for.
    ::poll(fds, n, n == 0 ? kReapSliceMs : MillisUntil(deadline));
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.get()) {
        const ssize_t w = ::write(in.get(), spec.stdin_data.data() + written, spec.stdin_data.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == spec.stdin_data.size()) in.Close();
      } else if (fds[i].fd == out.get()) {
        if (!drain(out.get(), true)) out.Close();
      } else if (!drain(err.get(), false)) {
        err.Close();
      }
    }
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      reaped = true;
      // The child is gone; take what it wrote, but do not wait for pipes a straggler holds.
      if (out.get() >= 0) drain(out.get(), true);
      if (err.get() >= 0) drain(err.get(), false);
      break;
    }
  }

  if (!reaped) {
    ::kill(-pid, SIGTERM);
    if (!ReapUntil(pid, &status, std::chrono::steady_clock::now() + spec.kill_grace)) {
      outcome.needed_sigkill = true;
      ::kill(-pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }
    if (out.get() >= 0) drain(out.get(), true);
    if (err.get() >= 0) drain(err.get(), false);
  }
  ::kill(-pid, SIGKILL);  // stragglers left in the group
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.term_signal = WTERMSIG(status);
  return outcome;
}

}  // namespace reagent::tools_internal
