// SessionStore: where conversations live between turns and across restarts. A session is a
// history of messages appended one agent step at a time, with the tokens and cost of each
// step, an owner (user_id) and a last-access time that drives TTL and LRU eviction.
//
//   auto store = OpenSqliteSessionStore({.path = "reagent.db"}, SystemClock::Default());
//   if (!store.ok()) return store.status();
//   REAGENT_ASSIGN_OR_RETURN(SessionInfo info, (*store)->Create("alice"));
//   REAGENT_ASSIGN_OR_RETURN(auto lease, (*store)->BeginTurn(info.id));  // limits checked here
//   REAGENT_RETURN_IF_ERROR((*store)->AppendStep(info.id, step));        // one transaction
//
// Two implementations share one conformance suite and the same semantics: the SQLite store
// (sqlite_session_store.h; many threads, several processes, survives crashes) and the
// in-memory store (in_memory_session_store.h; one process, for tests and throwaway runs).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/clock.h"
#include "reagent/core/message.h"
#include "reagent/core/status.h"

namespace reagent {

// What every store enforces. Defaults follow the usual chatbot backend (FIELD-NOTES).
struct SessionStoreOptions {
  // A session not accessed (Create, Touch, BeginTurn, AppendStep) for this long is expired:
  // invisible at once (Load says kExpired), purged by Sweep. Longer keeps more state around.
  Duration ttl = Seconds(3600);
  // Beyond this many sessions the least recently accessed ones are evicted (on Create and on
  // Sweep). Sessions with a running turn are never evicted, so the count may overshoot while
  // more than max_sessions turns run at once.
  int64_t max_sessions = 10000;
  // Running turns (live TurnLeases) one user may hold at once, across threads and processes.
  // 0 disables the limit.
  int max_concurrent_turns_per_user = 3;
  // Turns one user may begin within any sliding request_window. 0 disables the limit.
  int max_requests_per_window = 30;
  Duration request_window = Seconds(60);
  // The retry_after_s hint given when the concurrent-turn limit refuses a turn (when the
  // running turns will end is not knowable).
  Duration concurrent_turn_retry_after = Seconds(1);
  // Turns of one session never run at once (their steps would interleave in its history). A
  // BeginTurn on a session with a running turn waits up to this long for it to end, then
  // fails with kUnavailable "session … is busy"; 0 fails at once.
  Duration busy_wait = Duration::zero();
  // A turn lease older than this counts as abandoned (a hung or frozen owner) and stops
  // holding its user's slot and protecting its session. Leases of dead processes are
  // released as soon as that death is noticed, whatever their age.
  Duration max_turn_duration = Seconds(3600);
  // One message's content plus tool-call arguments may not exceed this; bigger ones are
  // refused with kInvalidArgument instead of bloating every later prompt and load.
  size_t max_message_bytes = 1 << 20;
};

struct SessionInfo {
  std::string id;  // 22 characters of base64url, 128 random bits
  std::string user_id;
  WallTime created_at, last_access;
  int64_t step_count = 0;
  int64_t message_count = 0;
  Usage usage;  // sum over the session's steps; cost_usd unknown once any step was unpriced
  nlohmann::json metadata;  // the caller's, stored verbatim (an object, or null)
};

// One agent step, appended atomically: all of its messages and its usage, or none.
struct StepRecord {
  std::vector<Message> messages;
  std::string model;
  Usage usage;  // usage.cost_usd = cost of the step (nullopt: unpriced)
  nlohmann::json extra;  // anything else worth keeping with the step (stop reason, latency)
  // Optional per-message token counts, parallel to messages (empty: unknown).
  std::vector<int64_t> message_tokens;
};

struct Session {
  SessionInfo info;
  std::vector<Message> messages;  // full history in append order
};

// One row of the usage ledger: a step, as AppendStep recorded it.
struct StepInfo {
  int64_t step = 0;           // 1-based within the session
  int64_t first_message = 0;  // index into Session::messages of the step's first message
  int64_t message_count = 0;
  std::string model;
  Usage usage;
  WallTime created_at;
  nlohmann::json extra;
};

struct ListFilter {
  std::string user_id;           // empty: every user
  bool expired_only = false;     // true: only expired sessions (awaiting Sweep)
  bool include_expired = false;  // true: live and expired sessions
  int64_t limit = 0;             // 0: no limit. Order: most recently accessed first
};

// How usage totals are grouped. Days are UTC calendar days ("2025-01-31").
enum class UsageGrouping { kSession, kUser, kDay, kUserDay };

struct UsageFilter {
  std::string user_id;     // empty: every user
  std::string session_id;  // empty: every session
};

struct UsageTotal {
  std::string session_id;  // set for kSession
  std::string user_id;     // set for kSession, kUser, kUserDay
  std::string day;         // set for kDay, kUserDay
  int64_t steps = 0;
  Usage usage;  // cost_usd unknown when any step in the group was unpriced
};

struct SweepReport {
  int64_t expired = 0;          // sessions purged because their TTL passed
  int64_t evicted = 0;          // sessions purged as least recently used beyond max_sessions
  int64_t abandoned_turns = 0;  // leases released because their owner died or overran
};

// While alive, the session counts as in use (never expired or evicted) and its user's
// concurrent-turn slot is held. Destroying it releases both. If the owning process dies, the
// SQLite store notices (the lease row names the process) and releases it for the others.
// A lease keeps what it needs of its store alive; it may be destroyed on any thread.
class TurnLease {
 public:
  virtual ~TurnLease() = default;
  virtual const std::string& session_id() const = 0;
  virtual const std::string& user_id() const = 0;
};

// Thread-safe: every method may be called concurrently from many threads.
class SessionStore {
 public:
  virtual ~SessionStore() = default;

  // A new empty session owned by user_id (non-empty). May evict least recently used sessions
  // beyond max_sessions. metadata must be an object or null.
  virtual Result<SessionInfo> Create(std::string_view user_id, nlohmann::json metadata = {}) = 0;

  // The session's summary and full history. kNotFound for unknown (or purged) ids, kExpired
  // when the TTL has passed and no turn is running. Does not count as an access.
  virtual Result<SessionInfo> GetInfo(std::string_view session_id) = 0;
  virtual Result<Session> Load(std::string_view session_id) = 0;

  // Appends one step in one transaction and marks the session accessed. kInvalidArgument for
  // an oversized message (nothing is written); kNotFound / kExpired as Load.
  virtual Status AppendStep(std::string_view session_id, const StepRecord& step) = 0;

  // Begins a turn: waits while another turn runs on the session (busy_wait; then
  // kUnavailable "busy"), checks the owner's concurrent-turn and sliding-window limits
  // (kRateLimited with retry_after_s when either says no), counts the request, marks the
  // session accessed and returns the lease that holds the slot.
  virtual Result<std::unique_ptr<TurnLease>> BeginTurn(std::string_view session_id) = 0;

  // Marks the session accessed now (restarts its TTL, moves it to the LRU's young end).
  virtual Status Touch(std::string_view session_id) = 0;

  // Removes the session and its messages (its ledger rows stay, for billing).
  // kFailedPrecondition while a turn runs on it; kNotFound for unknown ids.
  virtual Status Delete(std::string_view session_id) = 0;

  virtual Result<std::vector<SessionInfo>> List(const ListFilter& filter = {}) = 0;

  // The session's steps in order, with per-step usage (the ledger rows). Works for expired
  // sessions too (for inspection), kNotFound once purged.
  virtual Result<std::vector<StepInfo>> Steps(std::string_view session_id) = 0;

  // Totals from the usage ledger, which outlives deleted and evicted sessions.
  virtual Result<std::vector<UsageTotal>> UsageTotals(UsageGrouping grouping,
                                                      const UsageFilter& filter = {}) = 0;

  // Purges expired sessions, evicts the least recently used beyond max_sessions (never one
  // with a running turn) and releases abandoned leases.
  virtual Result<SweepReport> Sweep() = 0;

  // Running turns of a user (live leases, all processes).
  virtual Result<int64_t> RunningTurns(std::string_view user_id) = 0;

  virtual const SessionStoreOptions& options() const = 0;
};

}  // namespace reagent
