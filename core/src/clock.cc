#include "reagent/core/clock.h"

#include <algorithm>
#include <thread>

namespace reagent {

TimePoint SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::steady_clock::now());
}

WallTime SystemClock::WallNow() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

bool SystemClock::SleepFor(Duration d, const CancellationToken& cancel) {
  if (d <= Duration::zero()) return !cancel.cancelled();
  std::mutex mu;
  std::condition_variable cv;
  bool woken = false;
  int id = cancel.OnCancel([&] {
    std::lock_guard lock(mu);
    woken = true;
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, d, [&] { return woken; });
  }
  cancel.Unsubscribe(id);
  return !cancel.cancelled();
}

SystemClock& SystemClock::Default() {
  static SystemClock clock;
  return clock;
}

ManualClock::ManualClock(WallTime wall_start) : wall_start_(wall_start) {}

TimePoint ManualClock::Now() const {
  std::lock_guard lock(mu_);
  return TimePoint(offset_);
}

WallTime ManualClock::WallNow() const {
  std::lock_guard lock(mu_);
  return wall_start_ + offset_;
}

bool ManualClock::SleepFor(Duration d, const CancellationToken& cancel) {
  if (cancel.cancelled()) return false;
  std::lock_guard lock(mu_);
  d = std::max(d, Duration::zero());
  offset_ += d;
  slept_ += d;
  return true;
}

void ManualClock::Advance(Duration d) {
  std::lock_guard lock(mu_);
  offset_ += d;
}

Duration ManualClock::slept() const {
  std::lock_guard lock(mu_);
  return slept_;
}

}  // namespace reagent
