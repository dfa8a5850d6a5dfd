#include "support/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "support/deadline.h"
#include "support/reagent_process.h"

namespace reagent::testing {
namespace {

using std::chrono::milliseconds;
void CloseBoth(int fds[2]) {
  close(fds[0]);
  close(fds[1]);
}

}  // namespace

std::unique_ptr<ChildProcess> ChildProcess::Start(const std::vector<std::string>& args,
                                                  const std::vector<std::string>& env,
                                                  const std::string& stderr_path) {
  return Start(args, Options{env, stderr_path, false});
}

std::unique_ptr<ChildProcess> ChildProcess::Start(const std::vector<std::string>& args, Options options) {
  int out[2];
  if (pipe(out) != 0) return nullptr;
  int in[2] = {-1, -1};
  if (options.stdin_pipe && pipe(in) != 0) {
    CloseBoth(out);
    return nullptr;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    CloseBoth(out);
    if (options.stdin_pipe) CloseBoth(in);
    return nullptr;
  }
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    const int err = open(options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) dup2(err, STDERR_FILENO);
    if (options.stdin_pipe) {
      dup2(in[0], STDIN_FILENO);
      CloseBoth(in);
    } else {
      dup2(open("/dev/null", O_RDONLY), STDIN_FILENO);
    }
    CloseBoth(out);
    for (const std::string& kv : options.env) putenv(const_cast<char*>(kv.c_str()));
    ExecReagent(args);
  }
  close(out[1]);
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->pid_ = pid;
  child->out_fd_ = out[0];
  if (options.stdin_pipe) {
    close(in[0]);
    child->in_fd_ = in[1];
  }
  return child;
}

ChildProcess::~ChildProcess() {
  CloseStdin();
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
}

bool ChildProcess::Write(std::string_view bytes) {
  while (!bytes.empty()) {
    if (in_fd_ < 0) return false;
    const ssize_t n = write(in_fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void ChildProcess::CloseStdin() {
  if (in_fd_ >= 0) close(in_fd_);
  in_fd_ = -1;
}

std::string ChildProcess::ReadLine(milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    if (const size_t nl = pending_.find('\n'); nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, RemainingMs(deadline)) <= 0) return "";
    char buf[4096];
    const ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return "";
    pending_.append(buf, static_cast<size_t>(n));
  }
}

std::string ChildProcess::ReadToEnd(milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  std::string out = std::move(pending_);
  pending_.clear();
  while (true) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, RemainingMs(deadline)) <= 0) return out;
    char buf[4096];
    const ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

void ChildProcess::Signal(int sig) {
  if (!reaped_) kill(pid_, sig);
}

std::optional<int> ChildProcess::Wait(milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (SteadyClock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(milliseconds(10));  // polling a child process, not a clock
  }
}

}  // namespace reagent::testing
