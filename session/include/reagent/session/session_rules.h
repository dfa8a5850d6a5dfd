// Rules every SessionStore implementation applies identically (the SQLite, in-memory and
// Redis stores), so the conformance suite sees the same answers from each: argument checks,
// error texts, time encoding, the ledger's day key. For implementers of a store; an
// application using one needs none of this.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/session/session_store.h"

namespace reagent::session_internal {

// Stored times are integer microseconds since the Unix epoch.
int64_t ToMicros(WallTime t);
WallTime FromMicros(int64_t us);
int64_t DurationMicros(Duration d);

// t broken down as a UTC calendar time.
std::tm ToUtcTm(WallTime t);

// "2025-01-31": the UTC calendar day of t, the ledger's grouping key.
std::string UtcDay(WallTime t);

Status CheckUserId(std::string_view user_id);
Status CheckMetadata(const nlohmann::json& metadata);
// Refuses oversized messages and a message_tokens vector of the wrong length.
Status CheckStep(const StepRecord& step, const SessionStoreOptions& options);

// A session is expired when its TTL has passed since the last access.
bool IsExpired(int64_t last_access_us, int64_t now_us, const SessionStoreOptions& options);

Status SessionNotFound(std::string_view session_id);
Status SessionExpired(std::string_view session_id);
Status SessionInUse(std::string_view session_id);
// Another turn is running on the session (kUnavailable with a retry hint).
Status SessionBusy(std::string_view session_id, const SessionStoreOptions& options);

// BeginTurn's wait for a busy session: calls try_begin (which sets `busy` when the session has
// a running turn) until it is not busy or options.busy_wait has passed on `clock`.
using TryBeginTurn = std::function<Result<std::unique_ptr<TurnLease>>(bool& busy)>;
Result<std::unique_ptr<TurnLease>> BeginWhenFree(Clock& clock, const SessionStoreOptions& options,
                                                 const TryBeginTurn& try_begin);
Status TooManyTurns(std::string_view user_id, int running, const SessionStoreOptions& options);
Status TooManyRequests(std::string_view user_id, double retry_after_s, const SessionStoreOptions& options);

// The seconds until the oldest request in the window leaves it.
double WindowRetryAfter(int64_t oldest_us, int64_t now_us, const SessionStoreOptions& options);

}  // namespace reagent::session_internal
