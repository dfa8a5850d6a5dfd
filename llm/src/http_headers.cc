#include "reagent/llm/http_headers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace reagent {
namespace {

constexpr double kSecondsPerMinute = 60;
constexpr double kSecondsPerHour = 3600;
constexpr int kTwoDigitYearPivot = 70;  // RFC 850 years: 70-99 are 19xx, 00-69 are 20xx

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Parses a non-negative decimal ("1", "1.5", ".5") at the start of s; advances s.
std::optional<double> TakeNumber(std::string_view& s) {
  size_t n = 0;
  bool digits = false;
  while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) { ++n; digits = true; }
  if (n < s.size() && s[n] == '.') {
    ++n;
    while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n]))) { ++n; digits = true; }
  }
  if (!digits) return std::nullopt;
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + n, value);
  if (ec != std::errc() || ptr != s.data() + n) return std::nullopt;
  s.remove_prefix(n);
  return value;
}

std::optional<double> WholeNumber(std::string_view s) {
  s = Trim(s);
  auto v = TakeNumber(s);
  if (!v || !s.empty()) return std::nullopt;
  return v;
}

std::optional<int64_t> WholeInteger(std::string_view s) {
  s = Trim(s);
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

const std::string* Find(const HttpHeaders& headers, std::string_view name) {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? nullptr : &it->second;
}

int MonthIndex(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  std::string lower = LowerAscii(name);
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<int>(i);
  }
  return -1;
}

std::optional<double> ToUnix(int year, int month, int day, int hour, int minute, int second) {
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<double>(timegm(&tm));
}

}  // namespace

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<double> ParseGoDuration(std::string_view text) {
  std::string_view s = Trim(text);
  if (s.empty()) return std::nullopt;
  if (auto plain = WholeNumber(s)) return plain;
  double total = 0;
  while (!s.empty()) {
    auto value = TakeNumber(s);
    if (!value) return std::nullopt;
    size_t unit_len = 0;
    while (unit_len < s.size() && !std::isdigit(static_cast<unsigned char>(s[unit_len])) &&
           s[unit_len] != '.') {
      ++unit_len;
    }
    std::string_view unit = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    if (unit == "h") total += *value * kSecondsPerHour;
    else if (unit == "m") total += *value * kSecondsPerMinute;
    else if (unit == "s") total += *value;
    else if (unit == "ms") total += *value / 1e3;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") total += *value / 1e6;
    else if (unit == "ns") total += *value / 1e9;
    else return std::nullopt;
  }
  return total;
}

std::string FormatGoDuration(double seconds) {
  if (!(seconds > 0)) return "0s";
  char buf[64];
  auto trimmed = [&](double v) {
    std::snprintf(buf, sizeof buf, "%.9f", v);
    std::string out(buf);
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
    return out;
  };
  if (seconds < 1) {
    double ms = seconds * 1e3;
    if (ms >= 1) return trimmed(std::round(ms * 1e6) / 1e6) + "ms";
    double us = seconds * 1e6;
    if (us >= 1) return trimmed(std::round(us * 1e3) / 1e3) + "\xC2\xB5s";
    return trimmed(std::round(seconds * 1e9)) + "ns";
  }
  auto hours = static_cast<int64_t>(seconds / kSecondsPerHour);
  double rest = seconds - static_cast<double>(hours) * kSecondsPerHour;
  auto minutes = static_cast<int64_t>(rest / kSecondsPerMinute);
  rest -= static_cast<double>(minutes) * kSecondsPerMinute;
  std::string out;
  if (hours > 0) out += std::to_string(hours) + "h";
  if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
  out += trimmed(std::round(rest * 1e9) / 1e9) + "s";
  return out;
}

std::optional<double> ParseHttpDate(std::string_view text) {
  std::string s(Trim(text));
  char wday[16] = {}, mon[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char zone[8] = {};
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %d %3s %d %d:%d:%d %7s", wday, &day, mon, &year, &hour,
                  &minute, &second, zone) == 8 &&
      std::string_view(zone) == "GMT") {
    return ToUnix(year, MonthIndex(mon), day, hour, minute, second);
  }
  // RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %d-%3s-%d %d:%d:%d %7s", wday, &day, mon, &year, &hour,
                  &minute, &second, zone) == 8 &&
      std::string_view(zone) == "GMT") {
    if (year < 100) year += year < kTwoDigitYearPivot ? 2000 : 1900;
    return ToUnix(year, MonthIndex(mon), day, hour, minute, second);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  if (std::sscanf(s.c_str(), "%15[A-Za-z] %3s %d %d:%d:%d %d", wday, mon, &day, &hour, &minute,
                  &second, &year) == 7) {
    return ToUnix(year, MonthIndex(mon), day, hour, minute, second);
  }
  return std::nullopt;
}

std::optional<double> ParseRetryAfterValue(std::string_view value, WallTime now) {
  if (auto seconds = WholeNumber(value)) return seconds;
  if (auto date = ParseHttpDate(value)) return std::max(0.0, *date - ToUnixSeconds(now));
  return std::nullopt;
}

std::optional<double> RetryAfterFromHeaders(const HttpHeaders& headers, WallTime now) {
  if (const std::string* ms = Find(headers, "retry-after-ms")) {
    if (auto v = WholeNumber(*ms)) return *v / 1e3;
  }
  if (const std::string* value = Find(headers, "retry-after")) {
    return ParseRetryAfterValue(*value, now);
  }
  return std::nullopt;
}

std::optional<double> RetryAfterFromRateLimit(const RateLimitInfo& info) {
  std::optional<double> exhausted, any;
  auto consider = [&](const std::optional<int64_t>& remaining, const std::optional<double>& reset) {
    if (!reset) return;
    any = std::max(any.value_or(0.0), *reset);
    if (remaining && *remaining == 0) exhausted = std::max(exhausted.value_or(0.0), *reset);
  };
  consider(info.remaining_requests, info.reset_requests_s);
  consider(info.remaining_tokens, info.reset_tokens_s);
  return exhausted ? exhausted : any;
}

RateLimitInfo ParseRateLimitHeaders(const HttpHeaders& headers) {
  RateLimitInfo info;
  auto integer = [&](std::string_view name) -> std::optional<int64_t> {
    const std::string* v = Find(headers, name);
    return v ? WholeInteger(*v) : std::nullopt;
  };
  auto duration = [&](std::string_view name) -> std::optional<double> {
    const std::string* v = Find(headers, name);
    return v ? ParseGoDuration(*v) : std::nullopt;
  };
  info.limit_requests = integer("x-ratelimit-limit-requests");
  info.remaining_requests = integer("x-ratelimit-remaining-requests");
  info.limit_tokens = integer("x-ratelimit-limit-tokens");
  info.remaining_tokens = integer("x-ratelimit-remaining-tokens");
  info.reset_requests_s = duration("x-ratelimit-reset-requests");
  info.reset_tokens_s = duration("x-ratelimit-reset-tokens");
  return info;
}

}  // namespace reagent
