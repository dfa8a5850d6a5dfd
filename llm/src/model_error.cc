#include "reagent/llm/model_error.h"

namespace reagent {

std::string_view ModelErrorKindName(ModelErrorKind kind) {
  switch (kind) {
    case ModelErrorKind::kRateLimited: return "rate_limited";
    case ModelErrorKind::kQuotaExhausted: return "quota_exhausted";
    case ModelErrorKind::kAuth: return "auth";
    case ModelErrorKind::kBadRequest: return "bad_request";
    case ModelErrorKind::kContextLengthExceeded: return "context_length_exceeded";
    case ModelErrorKind::kNotFound: return "not_found";
    case ModelErrorKind::kServerError: return "server_error";
    case ModelErrorKind::kOverloaded: return "overloaded";
    case ModelErrorKind::kTimeout: return "timeout";
    case ModelErrorKind::kNetwork: return "network";
    case ModelErrorKind::kContentFilter: return "content_filter";
    case ModelErrorKind::kMalformedResponse: return "malformed_response";
    case ModelErrorKind::kCancelled: return "cancelled";
    case ModelErrorKind::kUnavailable: return "unavailable";
  }
  return "unknown";
}

bool ModelError::retryable() const {
  switch (kind) {
    case ModelErrorKind::kRateLimited:
    case ModelErrorKind::kServerError:
    case ModelErrorKind::kOverloaded:
    case ModelErrorKind::kTimeout:
    case ModelErrorKind::kNetwork:
    case ModelErrorKind::kMalformedResponse:
      return true;
    default:
      return false;
  }
}

bool ModelError::transient() const {
  // Today the same set: what may pass with time says the provider is unhealthy. Kept as two
  // questions because callers ask them for different reasons (retry vs breaker).
  return retryable();
}

Status ModelError::ToStatus() const {
  Status s;
  switch (kind) {
    case ModelErrorKind::kRateLimited: s = Status::RateLimited(ToString()); break;
    case ModelErrorKind::kQuotaExhausted: s = Status::ResourceExhausted(ToString()); break;
    case ModelErrorKind::kAuth: s = Status::PermissionDenied(ToString()); break;
    case ModelErrorKind::kBadRequest:
    case ModelErrorKind::kContextLengthExceeded:
    case ModelErrorKind::kContentFilter: s = Status::InvalidArgument(ToString()); break;
    case ModelErrorKind::kNotFound: s = Status::NotFound(ToString()); break;
    case ModelErrorKind::kTimeout: s = Status::DeadlineExceeded(ToString()); break;
    case ModelErrorKind::kCancelled: s = Status::Cancelled(ToString()); break;
    case ModelErrorKind::kMalformedResponse: s = Status::DataLoss(ToString()); break;
    default: s = Status::Unavailable(ToString()); break;
  }
  if (retry_after_s) s.set_retry_after_s(*retry_after_s);
  return s;
}

std::string ModelError::ToString() const {
  std::string out;
  if (!model.empty()) out += model + ": ";
  out += ModelErrorKindName(kind);
  if (http_status) out += " (" + std::to_string(http_status) + ")";
  if (!message.empty()) out += ": " + message;
  return out;
}

}  // namespace reagent
