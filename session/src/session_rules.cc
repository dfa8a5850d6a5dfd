#include "session_rules.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace reagent::session_internal {

int64_t ToMicros(WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

WallTime FromMicros(int64_t us) { return WallTime(std::chrono::microseconds(us)); }

int64_t DurationMicros(Duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

std::tm ToUtcTm(WallTime t) {
  std::time_t secs = static_cast<std::time_t>(
      std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count());
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string UtcDay(WallTime t) {
  std::tm tm = ToUtcTm(t);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

Status CheckUserId(std::string_view user_id) {
  if (user_id.empty()) return Status::InvalidArgument("a session needs a non-empty user id");
  return Status::Ok();
}

Status CheckMetadata(const nlohmann::json& metadata) {
  if (!metadata.is_null() && !metadata.is_object()) {
    return Status::InvalidArgument("session metadata must be a JSON object, got " +
                                   std::string(metadata.type_name()));
  }
  return Status::Ok();
}

Status CheckStep(const StepRecord& step, const SessionStoreOptions& options) {
  if (!step.message_tokens.empty() && step.message_tokens.size() != step.messages.size()) {
    return Status::InvalidArgument("step has " + std::to_string(step.messages.size()) +
                                   " messages but " + std::to_string(step.message_tokens.size()) +
                                   " message_tokens entries");
  }
  for (size_t i = 0; i < step.messages.size(); ++i) {
    const Message& m = step.messages[i];
    size_t bytes = m.content.size();
    for (const ToolCall& call : m.tool_calls) bytes += call.arguments.size();
    if (bytes > options.max_message_bytes) {
      return Status::InvalidArgument("message " + std::to_string(i + 1) + " of the step (" +
                                     std::string(RoleName(m.role)) + ") is " +
                                     std::to_string(bytes) + " bytes, over the limit of " +
                                     std::to_string(options.max_message_bytes) +
                                     " bytes (max_message_bytes); nothing was stored");
    }
  }
  return Status::Ok();
}

bool IsExpired(int64_t last_access_us, int64_t now_us, const SessionStoreOptions& options) {
  return now_us - last_access_us >= DurationMicros(options.ttl);
}

Status SessionNotFound(std::string_view session_id) {
  return Status::NotFound("no session with id '" + std::string(session_id) + "'");
}

Status SessionExpired(std::string_view session_id) {
  return Status::Expired("session '" + std::string(session_id) + "' has expired (not accessed for its TTL)");
}

Status SessionInUse(std::string_view session_id) {
  return Status::FailedPrecondition("session '" + std::string(session_id) +
                                    "' has a running turn; delete it after the turn ends");
}

Status SessionBusy(std::string_view session_id, const SessionStoreOptions& options) {
  Status s = Status::Unavailable("session '" + std::string(session_id) +
                                 "' is busy: another turn is running on it");
  s.set_retry_after_s(ToSeconds(options.concurrent_turn_retry_after));
  return s;
}

Result<std::unique_ptr<TurnLease>> BeginWhenFree(Clock& clock, const SessionStoreOptions& options,
                                                 const TryBeginTurn& try_begin) {
  // Leases end on another thread or in another process; no notification crosses that, so the
  // wait polls (on the injected clock: tests do not sleep).
  constexpr Duration kPoll = std::chrono::milliseconds(20);
  const TimePoint give_up = clock.Now() + std::max(options.busy_wait, Duration::zero());
  while (true) {
    bool busy = false;
    auto lease = try_begin(busy);
    if (!busy) return lease;
    const TimePoint now = clock.Now();
    if (now >= give_up) return lease;
    clock.SleepFor(std::min(kPoll, give_up - now));
  }
}

Status TooManyTurns(std::string_view user_id, int running, const SessionStoreOptions& options) {
  Status s = Status::RateLimited("user '" + std::string(user_id) + "' already has " +
                                 std::to_string(running) + " running turns (limit " +
                                 std::to_string(options.max_concurrent_turns_per_user) + ")");
  s.set_retry_after_s(ToSeconds(options.concurrent_turn_retry_after));
  return s;
}

Status TooManyRequests(std::string_view user_id, double retry_after_s, const SessionStoreOptions& options) {
  Status s = Status::RateLimited(
      "user '" + std::string(user_id) + "' made " + std::to_string(options.max_requests_per_window) +
      " requests in the last " + std::to_string(static_cast<int64_t>(ToSeconds(options.request_window))) +
      " s (the limit)");
  s.set_retry_after_s(retry_after_s);
  return s;
}

double WindowRetryAfter(int64_t oldest_us, int64_t now_us, const SessionStoreOptions& options) {
  int64_t frees_at = oldest_us + DurationMicros(options.request_window);
  return frees_at > now_us ? static_cast<double>(frees_at - now_us) / 1e6 : 0.0;
}

}  // namespace reagent::session_internal
