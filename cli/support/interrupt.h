// Ctrl-C handling for the interactive and long-running commands. SIGINT (and SIGTERM) set a
// flag from the signal handler; a watcher thread turns it into a cancellation of whatever is
// registered at that moment (the running turn, the batch), off the signal context.
#pragma once

#include <functional>

#include "reagent/core/cancellation.h"

namespace reagent::cli {

class InterruptWatcher {
 public:
  // Installs handlers for SIGINT and SIGTERM; restores the previous ones on destruction.
  InterruptWatcher();
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  // Called (on the watcher thread) for each interrupt. Replaces the previous callback.
  void OnInterrupt(std::function<void(int count)> callback);
  // Interrupts received so far.
  int count() const;

 private:
  struct State;
  State* state_;
};

}  // namespace reagent::cli
