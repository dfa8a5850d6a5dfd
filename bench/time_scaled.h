// Pieces shared by the benchmarks that run a real mock server and real clients on scaled
// time (llm_goodput_bench, rate_window_bench).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>

#include "reagent/core/clock.h"

namespace reagent::bench {

// Simulated time running `scale`× faster than the steady clock: server and clients share it,
// so minutes of rate windows, cool-downs and backoff happen for real, only faster.
// Thread-safe.
class ScaledClock final : public Clock {
 public:
  explicit ScaledClock(double scale)
      : scale_(scale), real_start_(std::chrono::steady_clock::now()),
        wall_start_(SystemClock::Default().WallNow()) {}
  TimePoint Now() const override { return TimePoint(Elapsed()); }
  WallTime WallNow() const override { return wall_start_ + Elapsed(); }
  bool SleepFor(Duration d, const CancellationToken& cancel = {}) override {
    return SystemClock::Default().SleepFor(std::chrono::duration_cast<Duration>(d / scale_), cancel);
  }

 private:
  Duration Elapsed() const {
    return std::chrono::duration_cast<Duration>((std::chrono::steady_clock::now() - real_start_) * scale_);
  }
  double scale_;
  std::chrono::steady_clock::time_point real_start_;
  WallTime wall_start_;
};

// main() of such a benchmark: takes --calls=N (at least 10) into `calls`, passes the other
// flags to Google Benchmark, registers, runs, then prints the benchmark's own table.
inline int RunWithCallsFlag(int argc, char** argv, int& calls, const std::function<void()>& register_benchmarks,
                            const std::function<void()>& print_table) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--calls=", 8) == 0) {
      calls = std::max(10, std::atoi(argv[i] + 8));
    } else {
      args.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_table();
  return 0;
}

}  // namespace reagent::bench
