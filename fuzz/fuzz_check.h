// What every fuzz target shares: FUZZ_CHECK, an invariant that aborts with a message (so
// libFuzzer and the replay runner both report it as a crash with the input saved), and
// helpers to cut one input into parts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "reagent/core/logging.h"

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

namespace reagent::fuzz {

inline std::string_view AsText(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits text at the first NUL byte: {before, after} (after empty when there is none).
inline std::pair<std::string_view, std::string_view> SplitAtNul(std::string_view text) {
  const size_t nul = text.find('\0');
  if (nul == std::string_view::npos) return {text, {}};
  return {text.substr(0, nul), text.substr(nul + 1)};
}

// Turns reagent's logger off (once): warnings about hostile input are expected by the
// thousand and would drown the fuzzer's own output.
inline void QuietLogs() {
  static const bool quiet = [] {
    (void)reagent::ConfigureLogging({.level = "off"});
    return true;
  }();
  (void)quiet;
}

}  // namespace reagent::fuzz
