// RetryBudget: retries ≤ ratio × calls (+ a floor) over a sliding window.
//
// Without it, every layer of clients retrying three times turns a provider's brown-out into a
// 3× (or, across layers, 9×, 27×…) load spike that keeps it down. With it, when most calls
// fail the extra load is bounded by the ratio (10 % by default): the calls fail fast instead.
// Share one budget across all RetryingModels that talk to the same provider.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>

#include "reagent/core/clock.h"

namespace reagent {

class RetryBudget {
 public:
  // ratio: retries allowed per call; min_retries: retries per window allowed regardless.
  // The clock must outlive the budget.
  RetryBudget(Clock& clock, double ratio, Duration window, int min_retries);

  // Counts a first attempt. Thread-safe.
  void RecordCall();
  // Takes one retry from the budget if the window has room; false means "do not retry".
  // Thread-safe.
  bool TryRetry();

  // Calls and retries inside the current window. Thread-safe.
  int64_t calls_in_window();
  int64_t retries_in_window();

 private:
  void Prune(TimePoint now);  // requires mu_

  Clock& clock_;
  const double ratio_;
  const Duration window_;
  const int min_retries_;
  std::mutex mu_;
  std::deque<TimePoint> calls_;
  std::deque<TimePoint> retries_;
};

}  // namespace reagent
