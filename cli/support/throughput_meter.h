// ThroughputMeter: how fast work finishes now, for an ETA that stays honest when the rate
// changes — a burst while the provider's window is fresh, then the paced rate. Counts the
// completions of the last `window` (a minute by default) instead of averaging the whole run.
// Not thread-safe (the batch runner holds its lock); time comes from the caller's clock.
#pragma once

#include <deque>

#include "reagent/core/clock.h"

namespace reagent::cli {

class ThroughputMeter {
 public:
  explicit ThroughputMeter(Duration window = Seconds(60)) : window_(window) {}

  // One item finished at `at` (times must not go backwards).
  void Record(TimePoint at);

  // Items per second over the window ending at `now`: the completions inside it divided by
  // the time they span, measured from the first completion before the window (or the
  // first ever) so a window that just began is not over-counted. 0 until two completions.
  double Rate(TimePoint now);

 private:
  Duration window_;
  std::deque<TimePoint> done_;  // completions within the window, plus the one before it
};

}  // namespace reagent::cli
