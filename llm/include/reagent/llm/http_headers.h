// Parsing of the response headers that steer retries: Retry-After in all its forms and the
// x-ratelimit-* family OpenAI-compatible providers send. Pure functions, no I/O; the HTTP
// client and the mock server share them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "reagent/core/clock.h"
#include "reagent/llm/model_error.h"

namespace reagent {

// Response headers with lower-cased names (HTTP header names are case-insensitive). A header
// received twice keeps its last value.
using HttpHeaders = std::map<std::string, std::string>;

// ASCII lower-case copy, for header names.
std::string LowerAscii(std::string_view text);

// A Go time.Duration string as OpenAI sends it in x-ratelimit-reset-*: "6m0s", "1.5s",
// "250ms", "1h2m3.5s", "20us", "0s". A bare number ("60", "1.5") is taken as seconds, which
// some compatible gateways send instead. Returns seconds, or nullopt when unparsable or
// negative.
std::optional<double> ParseGoDuration(std::string_view text);

// Formats seconds the way Go's time.Duration.String() does ("6m0s", "1.5s", "250ms"), as the
// mock server writes x-ratelimit-reset-*. Negative input is formatted as "0s".
std::string FormatGoDuration(double seconds);

// An HTTP date (IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
// "Sunday, 06-Nov-94 08:49:37 GMT" or asctime "Sun Nov  6 08:49:37 1994") as Unix seconds.
std::optional<double> ParseHttpDate(std::string_view text);

// The Retry-After header value: delta-seconds (fractions accepted) or an HTTP date, which is
// turned into seconds from `now` (a date in the past gives 0).
std::optional<double> ParseRetryAfterValue(std::string_view value, WallTime now);

// The server's wait hint, in order of precision: retry-after-ms, retry-after (seconds or
// date). nullopt when neither is present and parsable.
std::optional<double> RetryAfterFromHeaders(const HttpHeaders& headers, WallTime now);

// When a 429 carries no Retry-After: the reset time of the exhausted window(s) from
// x-ratelimit-reset-{requests,tokens}. A window whose remaining count is 0 is the one that
// bit; when none says 0, the longer reset is taken (the safe side).
std::optional<double> RetryAfterFromRateLimit(const RateLimitInfo& info);

// x-ratelimit-{limit,remaining,reset}-{requests,tokens}; missing or unparsable ones stay
// empty.
RateLimitInfo ParseRateLimitHeaders(const HttpHeaders& headers);

}  // namespace reagent
