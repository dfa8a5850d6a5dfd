#include "process_spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace reagent::tools_internal {
namespace {

class Pipe {
 public:
  ~Pipe() {
    Close(0);
    Close(1);
  }
  bool Open() { return ::pipe2(fd_, O_CLOEXEC) == 0; }
  int operator[](int i) const { return fd_[i]; }
  int Release(int i) {
    const int fd = fd_[i];
    fd_[i] = -1;
    return fd;
  }
  void Close(int i) {
    if (fd_[i] >= 0) ::close(fd_[i]);
    fd_[i] = -1;
  }

 private:
  int fd_[2] = {-1, -1};
};

}  // namespace

Result<SpawnedProcess> SpawnInNewGroup(const SpawnSpec& spec) {
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
  posix_spawnattr_setpgroup(&attr, 0);  // its own group, so a kill reaches its children too
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
  SpawnedProcess p;
  p.pid = pid;
  p.stdin_fd = in.Release(1);
  p.stdout_fd = out.Release(0);
  p.stderr_fd = err.Release(0);
  for (int fd : {p.stdin_fd, p.stdout_fd, p.stderr_fd}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return p;
}

}  // namespace reagent::tools_internal
