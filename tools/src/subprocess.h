// Running one external program with a deadline. Private to the tools library.
#pragma once

#include <chrono>
#include <string>

#include "process_spawn.h"
#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/core/status.h"

namespace reagent::tools_internal {

struct ProcessSpec {
  SpawnSpec program;              // what to run, where, with which environment
  std::string stdin_data;         // written, then stdin is closed
  Duration timeout;               // real time; then SIGTERM to the process group
  Duration kill_grace;            // real time between SIGTERM and SIGKILL
  std::size_t max_stdout_bytes;   // kept; the rest is read and counted, not stored
  std::size_t stderr_tail_bytes;  // the last bytes of stderr are kept
  CancellationToken cancel;       // treated like a timeout, reported as cancelled
};

struct ProcessOutcome {
  int exit_code = -1;         // when the child exited normally
  int term_signal = 0;        // when a signal ended it
  bool timed_out = false;
  bool cancelled = false;
  bool needed_sigkill = false;  // it outlived SIGTERM by kill_grace
  std::string stdout_data;
  std::size_t stdout_total = 0;
  std::string stderr_tail;
};

// Spawns argv in a new process group (posix_spawn; no shell), feeds stdin, collects output
// and waits, killing the whole group at the deadline or on cancellation: SIGTERM first, then
// SIGKILL after kill_grace. The group is also SIGKILLed after a normal exit, so stragglers a
// tool left in the background do not outlive the call. Errors: the program could not start.
// Thread-safe (each call owns its child); SIGPIPE from a child that closes stdin early is
// blocked on the calling thread, not process-wide.
Result<ProcessOutcome> RunProcess(const ProcessSpec& spec);

}  // namespace reagent::tools_internal
