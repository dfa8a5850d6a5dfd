#include "support/pty.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

namespace reagent::testing {

Pty::Pty(const std::vector<std::string>& argv) {
  pid_ = forkpty(&fd_, nullptr, nullptr, nullptr);
  if (pid_ == 0) {
    setenv("NO_COLOR", "1", 1);
    setenv("TERM", "dumb", 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Pty::~Pty() {
  if (pid_ > 0 && !exited_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

void Pty::Send(const std::string& s) {
  ASSERT_EQ(write(fd_, s.data(), s.size()), static_cast<ssize_t>(s.size()));
}

bool Pty::WaitFor(const std::string& needle, size_t from) {
  return WaitForAny({needle}, from) != std::string::npos;
}

size_t Pty::WaitForAny(const std::vector<std::string>& needles, size_t from) {
  auto first = [&] {
    size_t best = std::string::npos;
    for (const std::string& needle : needles) best = std::min(best, screen_.find(needle, from));
    return best;
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (size_t at = first(); at != std::string::npos) return at;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 100) > 0) {
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      screen_.append(buf, static_cast<size_t>(n));
    }
  }
  return first();
}

int Pty::Wait() {
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) > 0) {
      char buf[4096];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n > 0) screen_.append(buf, static_cast<size_t>(n));
      if (n <= 0) usleep(10000);  // the pty is closed: the process is exiting
    }
  }
  return -2;
}

}  // namespace reagent::testing
