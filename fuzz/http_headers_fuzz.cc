// The response headers that steer retries: Retry-After (seconds or HTTP date), Go durations,
// x-ratelimit-*, and an error response built from status, headers and body. Whatever the
// server sends, hints are non-negative and turn into a Duration without overflow.
#include <string>

#include "fuzz_check.h"
#include "reagent/llm/http_error.h"
#include "reagent/llm/http_headers.h"
#include "reagent/llm/retry_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace reagent;
  fuzz::QuietLogs();
  if (size < 2) return 0;
  const int status = 100 + (data[0] | (data[1] << 8)) % 500;
  const auto [head, body] = fuzz::SplitAtNul(fuzz::AsText(data + 2, size - 2));
  const WallTime now(std::chrono::seconds(1735689600));

  // Every line is also tried as a bare value.
  HttpHeaders headers;
  size_t from = 0;
  while (from <= head.size()) {
    size_t nl = head.find('\n', from);
    if (nl == std::string_view::npos) nl = head.size();
    const std::string_view line = head.substr(from, nl - from);
    if (auto v = ParseRetryAfterValue(line, now)) FUZZ_CHECK(*v >= 0);
    if (auto v = ParseGoDuration(line)) {
      FUZZ_CHECK(*v >= 0);
      (void)Seconds(*v);
      if (*v < 1e12) FUZZ_CHECK(ParseGoDuration(FormatGoDuration(*v)).has_value());
    }
    (void)ParseHttpDate(line);
    if (size_t colon = line.find(':'); colon != std::string_view::npos) {
      headers[LowerAscii(line.substr(0, colon))] = std::string(line.substr(colon + 1));
    }
    from = nl + 1;
  }
  (void)ParseRateLimitHeaders(headers);
  (void)RetryAfterFromHeaders(headers, now);
  const ModelError error = ModelErrorFromHttp(status, headers, body, "m", now);
  FUZZ_CHECK(error.message.size() < 2000);  // echoed text is bounded
  if (auto hint = ServerHintSeconds(error)) {
    FUZZ_CHECK(*hint >= 0);
    FUZZ_CHECK(Seconds(*hint) >= Duration::zero());
  }
  return 0;
}
