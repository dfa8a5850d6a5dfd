// Threads that run tool calls Invoke may abandon. Private to the tools library.
#pragma once

#include <functional>

namespace reagent::tools_internal {

// Runs each submitted task on a pooled thread; never blocks the submitter. A task that never
// returns simply keeps its thread: the pool starts a new thread whenever no idle one is
// waiting, so one hung tool cannot starve the others. Idle threads exit after a while.
// The pool lives for the whole process (it is never destroyed, so a thread still running an
// abandoned task at exit never touches freed pool state). Thread-safe.
void SubmitToWorker(std::function<void()> task);

}  // namespace reagent::tools_internal
