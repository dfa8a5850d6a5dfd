// Starting a child program in its own process group with its three standard streams on pipes.
// Private to the tools library and its MCP sub-library (tools/mcp), which both run programs
// they must be able to kill as a whole.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "reagent/core/status.h"

namespace reagent::tools_internal {

struct SpawnSpec {
  std::vector<std::string> argv;  // argv[0] without '/' is looked up in PATH
  std::string cwd;                // empty: inherit
  std::vector<std::string> env;   // "NAME=value" entries: the child's whole environment
};

// The parent's ends of the child's pipes: close-on-exec and non-blocking. The caller owns
// them (and must reap pid).
struct SpawnedProcess {
  pid_t pid = -1;
  int stdin_fd = -1;   // write end
  int stdout_fd = -1;  // read end
  int stderr_fd = -1;  // read end
};

// posix_spawn (never a shell) in a new process group (pgid == pid), with a clean signal mask
// and default dispositions for the signals reagent handles. Errors: NotFound "cannot start
// PROGRAM: <strerror>", Internal when pipes cannot be made.
Result<SpawnedProcess> SpawnInNewGroup(const SpawnSpec& spec);

// Blocks SIGPIPE on this thread while it lives (a write to a child that closed its stdin then
// fails with EPIPE instead of killing reagent); a SIGPIPE raised meanwhile is consumed.
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
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t set_, old_;
};

}  // namespace reagent::tools_internal
