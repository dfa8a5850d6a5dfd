// What went wrong with a model call, classified so that retry, breaker and fallback logic can
// decide without parsing strings. Built from the HTTP status, headers and error body by the
// OpenAI client; built directly by test doubles.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "reagent/core/status.h"

namespace reagent {

enum class ModelErrorKind {
  kRateLimited,            // 429 with a retry hint: wait and retry
  kQuotaExhausted,         // 429 insufficient_quota: retrying only burns time
  kAuth,                   // 401/403
  kBadRequest,             // 400 (other than context length)
  kContextLengthExceeded,  // prompt too long for this model: a bigger model may take it
  kNotFound,               // 404: unknown model or endpoint
  kServerError,            // 5xx
  kOverloaded,             // 503/529
  kTimeout,
  kNetwork,                // DNS, connect, reset
  kContentFilter,          // the provider refused the content
  kMalformedResponse,      // invalid JSON, missing fields, truncated stream
  kCancelled,              // the caller cancelled
  kUnavailable,            // no model could be tried (breakers open, retry budget spent)
};

// "rate_limited", "quota_exhausted", ... (stable names used in JSON, logs and scenarios).
std::string_view ModelErrorKindName(ModelErrorKind kind);

// x-ratelimit-{limit,remaining,reset}-{requests,tokens}, as far as the provider sent them.
struct RateLimitInfo {
  std::optional<int64_t> limit_requests, remaining_requests;
  std::optional<int64_t> limit_tokens, remaining_tokens;
  std::optional<double> reset_requests_s, reset_tokens_s;
  bool empty() const {
    return !limit_requests && !remaining_requests && !limit_tokens && !remaining_tokens &&
           !reset_requests_s && !reset_tokens_s;
  }
};

struct ModelError {
  ModelErrorKind kind = ModelErrorKind::kServerError;
  int http_status = 0;         // 0 when no HTTP response was received
  std::string code;            // provider's error code ("insufficient_quota"), if any
  std::string message;         // fit for a user; never contains the API key
  std::string model;           // the model that failed
  std::optional<double> retry_after_s;  // the server's hint, already parsed
  RateLimitInfo rate_limit;
  // The caller's deadline (ChatRequest::deadline) ended this call or ruled out trying again:
  // the turn stops as `deadline`, whatever the underlying failure was.
  bool hit_deadline = false;

  // Whether the same request to the same model may succeed later.
  bool retryable() const;
  // Whether the failure says the model/provider is unhealthy (counts against its breaker).
  bool transient() const;
  // A Status for callers that only want a Status (rate limits carry retry_after_s).
  Status ToStatus() const;
  // "gpt-4.1: rate_limited (429): message"
  std::string ToString() const;
};

}  // namespace reagent
