// Deadlines for tests that wait on pipes and sockets with poll(2).
#pragma once

#include <chrono>

namespace reagent::testing {

using SteadyClock = std::chrono::steady_clock;

// Milliseconds left until `deadline` as a poll(2) timeout (0 once it has passed).
inline int RemainingMs(SteadyClock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

}  // namespace reagent::testing
