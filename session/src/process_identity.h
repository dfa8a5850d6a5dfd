// Which process owns a turn lease, in a form other processes can check: the pid plus the
// process's start time (so a recycled pid is not mistaken for the owner).
#pragma once

#include <cstdint>

namespace reagent::session_internal {

struct ProcessIdentity {
  int64_t pid = 0;
  int64_t start_ticks = 0;  // /proc/<pid>/stat field 22; 0 when /proc is unavailable
};

// The calling process (recomputed after fork).
ProcessIdentity CurrentProcess();

// False once the process has exited (zombies count as exited) or its pid was reused.
bool ProcessAlive(const ProcessIdentity& process);

}  // namespace reagent::session_internal
