// Status and Result<T>: errors are values. Nothing in reagent's public API throws; every
// operation that can fail returns a Status or a Result<T> that the caller must look at.
//
//   Result<Session> s = store.Load(id);
//   if (!s.ok()) return s.status();          // propagate
//   Use(*s);
#pragma once

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace reagent {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,    // the caller's input is wrong (bad JSON, bad option, bad UTF-8 where refused)
  kNotFound,           // no such session, tool, model, file
  kAlreadyExists,
  kExpired,            // existed, but its TTL has passed
  kRateLimited,        // a limit says "not now"; retry_after() tells when
  kResourceExhausted,  // a hard budget or quota is used up: retrying does not help
  kDeadlineExceeded,
  kCancelled,
  kUnavailable,        // transient: a model, a server, a busy database
  kPermissionDenied,   // auth failures, sandbox escapes
  kFailedPrecondition, // the system is not in a state that allows the call
  kDataLoss,           // corrupt or unreadable stored data
  kIOError,            // disk full, read-only file system, short writes
  kBlocked,            // the sanitizer refused the input
  kInternal,           // a bug in reagent or a dependency; never the caller's fault
  kUnimplemented,
};

// "ok", "invalid_argument", ... (stable, used in JSON and logs).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Expired(std::string m) { return {StatusCode::kExpired, std::move(m)}; }
  static Status RateLimited(std::string m) { return {StatusCode::kRateLimited, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status Blocked(std::string m) { return {StatusCode::kBlocked, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Seconds until a retry may succeed, for kRateLimited (and kUnavailable when known).
  std::optional<double> retry_after_s() const { return retry_after_s_; }
  Status& set_retry_after_s(double s) { retry_after_s_ = s; return *this; }

  // A copy whose message is "context: message"; for adding where an error happened.
  Status WithContext(std::string_view context) const;

  // "invalid_argument: message" or "ok".
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<double> retry_after_s_;
};

std::ostream& operator<<(std::ostream& os, const Status& s);

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result constructed from an OK status");
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // Precondition: ok().
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace reagent

// Propagates a non-OK Status from an expression returning Status.
#define REAGENT_RETURN_IF_ERROR(expr)                   \
  do {                                                  \
    ::reagent::Status reagent_status_ = (expr);         \
    if (!reagent_status_.ok()) return reagent_status_;  \
  } while (false)

#define REAGENT_CONCAT_INNER_(a, b) a##b
#define REAGENT_CONCAT_(a, b) REAGENT_CONCAT_INNER_(a, b)
// REAGENT_ASSIGN_OR_RETURN(auto x, Foo()); declares x from Foo()'s value or returns its Status.
#define REAGENT_ASSIGN_OR_RETURN(decl, expr)                                      \
  auto REAGENT_CONCAT_(reagent_result_, __LINE__) = (expr);                       \
  if (!REAGENT_CONCAT_(reagent_result_, __LINE__).ok())                           \
    return REAGENT_CONCAT_(reagent_result_, __LINE__).status();                   \
  decl = std::move(REAGENT_CONCAT_(reagent_result_, __LINE__)).value()
