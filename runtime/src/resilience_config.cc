#include "reagent/runtime/resilience_config.h"

namespace reagent {

Status ApplyRetry(const Json& o, RetryPolicy& p) {
  if (o.contains("max_attempts")) p.max_attempts = static_cast<int>(o["max_attempts"].get<double>());
  if (o.contains("base_s")) p.base = Seconds(o["base_s"].get<double>());
  if (o.contains("cap_s")) p.cap = Seconds(o["cap_s"].get<double>());
  if (o.contains("max_wait_s")) p.max_hint_wait = Seconds(o["max_wait_s"].get<double>());
  if (o.contains("budget_ratio")) p.budget_ratio = o["budget_ratio"].get<double>();
  if (o.contains("strategy")) {
    auto s = ParseBackoffKind(o["strategy"].get<std::string>());
    if (!s.ok()) return s.status().WithContext("retry.strategy");
    p.backoff = *s;
  }
  return Status::Ok();
}

void ApplyBreaker(const Json& o, BreakerOptions& b) {
  if (o.contains("failure_threshold")) b.failure_threshold = static_cast<int>(o["failure_threshold"].get<double>());
  if (o.contains("open_s")) b.open_for = Seconds(o["open_s"].get<double>());
  if (o.contains("half_open_trials")) b.half_open_trials = static_cast<int>(o["half_open_trials"].get<double>());
  if (o.contains("window")) b.window_calls = static_cast<int>(o["window"].get<double>());
  if (o.contains("min_calls")) b.min_calls = static_cast<int>(o["min_calls"].get<double>());
  if (o.contains("failure_ratio")) b.failure_rate = o["failure_ratio"].get<double>();
}

void ApplyLimiter(const Json& o, RateLimiterOptions& l) {
  if (o.contains("rpm")) l.requests_per_period = o["rpm"].get<double>();
  if (o.contains("tpm")) l.tokens_per_period = o["tpm"].get<double>();
  // The provider's limit period. Given, it is also the window of limits learned from headers;
  // not given, configured rpm/tpm are per minute and learned limits' windows are inferred
  // from the provider's resets.
  if (o.contains("period_s")) {
    l.period = Seconds(o["period_s"].get<double>());
    l.infer_window_from_headers = false;
  }
  if (o.contains("concurrency")) l.max_concurrency = static_cast<int>(o["concurrency"].get<double>());
}

}  // namespace reagent
