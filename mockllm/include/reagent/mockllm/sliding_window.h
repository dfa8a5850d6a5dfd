// A sliding-window limit ("at most N per 60 s") as providers enforce requests/min and
// tokens/min. Time comes from the caller, so tests drive it with a ManualClock.
// Not thread-safe (the server holds a lock around it).
#pragma once

#include <cstdint>
#include <deque>
#include <utility>

#include "reagent/core/clock.h"

namespace reagent::mockllm {

class SlidingWindow {
 public:
  // limit <= 0: unlimited.
  SlidingWindow(int64_t limit, Duration window) : limit_(limit), window_(window) {}

  struct Decision {
    bool admitted = false;
    int64_t remaining = 0;    // what is left in the window after this decision
    Duration retry_after{0};  // when refused: how long until `amount` would fit
    Duration reset{0};        // how long until the oldest use leaves the window (0: none)
    bool never_fits = false;  // amount > limit: no wait helps
  };

  // Admits `amount` at `now` when it fits, recording it.
  Decision TryAdmit(TimePoint now, int64_t amount);
  // The state at `now` without admitting anything.
  Decision Peek(TimePoint now);

  bool unlimited() const { return limit_ <= 0; }
  int64_t limit() const { return limit_; }

 private:
  void Expire(TimePoint now);

  int64_t limit_;
  Duration window_;
  int64_t used_ = 0;
  std::deque<std::pair<TimePoint, int64_t>> uses_;
};

}  // namespace reagent::mockllm
