#include "reagent/llm/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace reagent {
namespace {

// 2^n overflows a double's useful range long before this; the cap applies far earlier.
constexpr int kMaxExponent = 62;
// Decorrelated jitter draws up to this multiple of the previous wait (AWS's formulation).
constexpr double kDecorrelatedGrowth = 3.0;

double Fibonacci(int n) {  // fib(1) = fib(2) = 1
  double a = 0, b = 1;
  for (int i = 0; i < n && i < kMaxExponent * 2; ++i) {
    double next = a + b;
    a = b;
    b = next;
  }
  return a;
}

}  // namespace

std::string_view BackoffKindName(BackoffKind kind) {
  switch (kind) {
    case BackoffKind::kFullJitter: return "full_jitter";
    case BackoffKind::kEqualJitter: return "equal_jitter";
    case BackoffKind::kDecorrelatedJitter: return "decorrelated";
    case BackoffKind::kFixed: return "fixed";
    case BackoffKind::kFibonacci: return "fibonacci";
  }
  return "unknown";
}

Result<BackoffKind> ParseBackoffKind(std::string_view name) {
  for (BackoffKind kind : {BackoffKind::kFullJitter, BackoffKind::kEqualJitter,
                           BackoffKind::kDecorrelatedJitter, BackoffKind::kFixed,
                           BackoffKind::kFibonacci}) {
    if (BackoffKindName(kind) == name) return kind;
  }
  return Status::InvalidArgument("unknown backoff \"" + std::string(name) +
                                 "\" (expected full_jitter, equal_jitter, decorrelated, fixed "
                                 "or fibonacci)");
}

Status RetryPolicy::Validate() const {
  if (max_attempts < 1) return Status::InvalidArgument("retry.max_attempts must be >= 1");
  if (base < Duration::zero() || cap < Duration::zero() || max_hint_wait < Duration::zero() ||
      hint_padding < Duration::zero()) {
    return Status::InvalidArgument("retry durations must not be negative");
  }
  if (!(budget_ratio >= 0 && budget_ratio <= 1)) {
    return Status::InvalidArgument("retry.budget_ratio must be in [0, 1]");
  }
  if (budget_window <= Duration::zero()) {
    return Status::InvalidArgument("retry.budget_window must be positive");
  }
  if (budget_min_retries < 0) return Status::InvalidArgument("retry.budget_min_retries must be >= 0");
  return Status::Ok();
}

Duration RetryPolicy::Backoff(int retry, Duration previous, Random& random) const {
  const double base_s = ToSeconds(base);
  const double cap_s = ToSeconds(cap);
  const int n = std::clamp(retry - 1, 0, kMaxExponent);  // exponent: 0 for the first retry
  const double exponential = std::min(cap_s, base_s * std::ldexp(1.0, n));
  double wait_s = 0;
  switch (backoff) {
    case BackoffKind::kFullJitter:
      wait_s = random.Uniform(0, exponential);
      break;
    case BackoffKind::kEqualJitter:
      wait_s = exponential / 2 + random.Uniform(0, exponential / 2);
      break;
    case BackoffKind::kDecorrelatedJitter: {
      const double prev_s = std::max(base_s, ToSeconds(previous));
      wait_s = std::min(cap_s, random.Uniform(base_s, kDecorrelatedGrowth * prev_s));
      break;
    }
    case BackoffKind::kFixed:
      wait_s = base_s;
      break;
    case BackoffKind::kFibonacci:
      wait_s = std::min(cap_s, base_s * Fibonacci(std::max(retry, 1)));
      break;
  }
  return Seconds(std::max(0.0, wait_s));
}

std::optional<double> ServerHintSeconds(const ModelError& error) {
  if (error.retry_after_s) return std::max(0.0, *error.retry_after_s);
  if (error.kind != ModelErrorKind::kRateLimited) return std::nullopt;
  const RateLimitInfo& rl = error.rate_limit;
  const bool requests_empty = rl.remaining_requests && *rl.remaining_requests <= 0;
  const bool tokens_empty = rl.remaining_tokens && *rl.remaining_tokens <= 0;
  if (requests_empty && !tokens_empty && rl.reset_requests_s) return *rl.reset_requests_s;
  if (tokens_empty && !requests_empty && rl.reset_tokens_s) return *rl.reset_tokens_s;
  std::optional<double> later;
  for (const auto& reset : {rl.reset_requests_s, rl.reset_tokens_s}) {
    if (reset && (!later || *reset > *later)) later = *reset;
  }
  if (later) return std::max(0.0, *later);
  return std::nullopt;
}

}  // namespace reagent
