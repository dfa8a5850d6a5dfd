// Time is injected. Everything that waits or measures time — budgets' deadlines, breakers'
// cool-downs, TTLs, backoff, rate limiters — takes a Clock, so tests use a ManualClock and
// never sleep, and the scenario runner simulates a 60 s Retry-After in microseconds.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "reagent/core/cancellation.h"

namespace reagent {

using Duration = std::chrono::nanoseconds;
// Monotonic time: only differences are meaningful.
using TimePoint = std::chrono::time_point<std::chrono::steady_clock, Duration>;
// Wall-clock time, for what is stored or shown (session timestamps, TTLs across restarts).
using WallTime = std::chrono::time_point<std::chrono::system_clock, Duration>;

// The longest span reagent represents: 100 years, "forever" for every timeout, TTL, deadline
// and wait. Conversions from seconds saturate here instead of wrapping, and a time point plus
// kMaxDuration (even twice) still fits the int64 nanoseconds of TimePoint and WallTime
// (±292 years), so adding a saturated duration never overflows either.
inline constexpr Duration kMaxDuration = std::chrono::hours(24 * 365 * 100);

// Seconds (from a config file, a flag, a Retry-After header, a scenario) as a Duration,
// truncated to nanoseconds and saturated to ±kMaxDuration; NaN is 0. The one conversion
// every layer uses.
constexpr Duration Seconds(double s) {
  constexpr double kMaxSeconds = std::chrono::duration<double>(kMaxDuration).count();
  if (!(s == s)) return Duration::zero();  // NaN
  if (s >= kMaxSeconds) return kMaxDuration;
  if (s <= -kMaxSeconds) return -kMaxDuration;
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s));
}
// The same, rounded up to the next nanosecond (a wait cut short by rounding would wake a
// hair early).
constexpr Duration CeilSeconds(double s) {
  const Duration d = Seconds(s);
  return std::chrono::duration<double>(d).count() < s && d < kMaxDuration ? d + Duration(1) : d;
}
constexpr double ToSeconds(Duration d) { return std::chrono::duration<double>(d).count(); }
// Unix time in seconds (fractional).
inline double ToUnixSeconds(WallTime t) { return ToSeconds(t.time_since_epoch()); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  virtual WallTime WallNow() const = 0;
  // Waits for d or until cancel fires. Returns false when cancelled before d passed.
  // Thread-safe.
  virtual bool SleepFor(Duration d, const CancellationToken& cancel = {}) = 0;
};

// The process's real clocks (steady_clock, system_clock). Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  WallTime WallNow() const override;
  bool SleepFor(Duration d, const CancellationToken& cancel = {}) override;
  // A shared instance for code that has no clock injected.
  static SystemClock& Default();
};

// A clock that moves only when told to. SleepFor advances it by the requested duration (it
// simulates the wait instead of blocking), so code under test that backs off for 60 s
// returns at once with Now() 60 s later. Thread-safe.
class ManualClock final : public Clock {
 public:
  // Starts at monotonic 0 and at the given wall time (default 2025-01-01T00:00:00Z).
  explicit ManualClock(WallTime wall_start = WallTime(std::chrono::seconds(1735689600)));

  TimePoint Now() const override;
  WallTime WallNow() const override;
  bool SleepFor(Duration d, const CancellationToken& cancel = {}) override;

  void Advance(Duration d);
  // Total time spent in SleepFor since construction.
  Duration slept() const;

 private:
  mutable std::mutex mu_;
  Duration offset_{0};
  Duration slept_{0};
  WallTime wall_start_;
};

}  // namespace reagent
