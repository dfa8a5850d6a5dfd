#include "reagent/mockllm/sliding_window.h"

namespace reagent::mockllm {

void SlidingWindow::Expire(TimePoint now) {
  while (!uses_.empty() && uses_.front().first + window_ <= now) {
    used_ -= uses_.front().second;
    uses_.pop_front();
  }
}

SlidingWindow::Decision SlidingWindow::Peek(TimePoint now) {
  Decision d;
  if (unlimited()) {
    d.admitted = true;
    return d;
  }
  Expire(now);
  d.admitted = used_ < limit_;
  d.remaining = limit_ - used_;
  if (!uses_.empty()) d.reset = uses_.front().first + window_ - now;
  return d;
}

SlidingWindow::Decision SlidingWindow::TryAdmit(TimePoint now, int64_t amount) {
  Decision d = Peek(now);
  if (unlimited()) return d;
  if (amount > limit_) {
    d.admitted = false;
    d.never_fits = true;
    return d;
  }
  if (used_ + amount <= limit_) {
    uses_.emplace_back(now, amount);
    used_ += amount;
    d.admitted = true;
    d.remaining = limit_ - used_;
    d.reset = uses_.front().first + window_ - now;
    return d;
  }
  // Walk the oldest uses until enough has left the window.
  d.admitted = false;
  int64_t freed = 0;
  for (const auto& [at, n] : uses_) {
    freed += n;
    if (used_ - freed + amount <= limit_) {
      d.retry_after = at + window_ - now;
      break;
    }
  }
  return d;
}

}  // namespace reagent::mockllm
