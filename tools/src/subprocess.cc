#include "subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace reagent::tools_internal {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

// How often the wait loop wakes to look at cancellation and at a child that closed its pipes
// but has not exited: short enough to be prompt, long enough not to spin.
constexpr int kPollSliceMs = 20;
constexpr int kReapSliceMs = 2;

class Pipe {
 public:
  ~Pipe() {
    Close(0);
    Close(1);
  }
  bool Open() { return ::pipe2(fd_, O_CLOEXEC) == 0; }
  int operator[](int i) const { return fd_[i]; }
  void Close(int i) {
    if (fd_[i] >= 0) ::close(fd_[i]);
    fd_[i] = -1;
  }

 private:
  int fd_[2] = {-1, -1};
};

// Blocks SIGPIPE on this thread while it lives; a SIGPIPE raised meanwhile is consumed.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeBlock() {
    const timespec zero{0, 0};
    while (sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t set_, old_;
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
  if (spec.argv.empty() || spec.argv[0].empty()) return Status::InvalidArgument("empty argv");
  Pipe in, out, err;
  if (!in.Open() || !out.Open() || !err.Open()) return Status::Internal(std::string("pipe: ") + std::strerror(errno));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a timeout kills its children too
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> argv, envp;
  for (const auto& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const bool search_path = spec.argv[0].find('/') == std::string::npos;
  const int rc = search_path ? ::posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), envp.data())
                             : ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return Status::NotFound("cannot start " + spec.argv[0] + ": " + std::strerror(rc));
  in.Close(0);
  out.Close(1);
  err.Close(1);
  for (int fd : {in[1], out[0], err[0]}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  SigpipeBlock sigpipe_block;
  ProcessOutcome outcome;
  const SteadyTime deadline = std::chrono::steady_clock::now() + spec.timeout;
  std::size_t written = 0;
  if (spec.stdin_data.empty()) in.Close(1);
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
    if (in[1] >= 0) fds[n++] = {in[1], POLLOUT, 0};
    if (out[0] >= 0) fds[n++] = {out[0], POLLIN, 0};
    if (err[0] >= 0) fds[n++] = {err[0], POLLIN, 0};
    // With every pipe closed, only the exit is left to wait for.
    ::poll(fds, n, n == 0 ? kReapSliceMs : MillisUntil(deadline));
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in[1]) {
        const ssize_t w = ::write(in[1], spec.stdin_data.data() + written, spec.stdin_data.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == spec.stdin_data.size()) in.Close(1);
      } else if (fds[i].fd == out[0]) {
        if (!drain(out[0], true)) out.Close(0);
      } else if (!drain(err[0], false)) {
        err.Close(0);
      }
    }
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      reaped = true;
      // The child is gone; take what it wrote, but do not wait for pipes a straggler holds.
      if (out[0] >= 0) drain(out[0], true);
      if (err[0] >= 0) drain(err[0], false);
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
    if (out[0] >= 0) drain(out[0], true);
    if (err[0] >= 0) drain(err[0], false);
  }
  ::kill(-pid, SIGKILL);  // stragglers left in the group
  if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) outcome.term_signal = WTERMSIG(status);
  return outcome;
}

}  // namespace reagent::tools_internal
