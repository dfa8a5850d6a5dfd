// The Redis session store: the SessionStore contract (session_store.h; the same typed
// conformance suite as the SQLite and in-memory stores) kept in one Redis server, so several
// replicas of a backend see the same sessions, the same per-user limits and the same usage
// ledger.
//
//   auto store = OpenRedisSessionStore({.client = {.url = "redis://10.0.0.5:6379/0"}},
//                                      SystemClock::Default());
//   if (!store.ok()) return store.status();      // unreachable, wrong password, foreign data
//   // then exactly as any SessionStore: Create, BeginTurn, Load, AppendStep, ...
//
// What it guarantees:
//   - every operation is one Lua script, atomic on the server: a step is appended whole or
//     not at all (messages, ledger row, totals, last access); BeginTurn's limit checks and its
//     claim cannot interleave with another replica's, so N replicas together admit exactly
//     max_concurrent_turns_per_user turns and max_requests_per_window starts per window;
//   - a turn lease is a key with a Redis expiry (lease_ttl) that its process renews in the
//     background while the turn runs: a replica that dies (SIGKILL, crash, partition) stops
//     renewing, and within lease_ttl its turns no longer count and its sessions are free;
//     max_turn_duration still bounds a lease whose owner lives but hangs;
//   - TTL: a session not accessed for `ttl` is expired (kExpired, purged by Sweep), judged on
//     the injected clock; Redis itself deletes its keys `expired_retention` later, so an
//     unswept store does not grow without bound. LRU eviction beyond max_sessions runs on
//     Create and Sweep, never touching a session with a running turn;
//   - the usage ledger (per session, user and UTC day) outlives deleted and evicted sessions.
//
// Time: timestamps, TTLs and the request window use the injected clock (the replicas'
// clocks must agree, as NTP keeps them; a skew of d lets a window admit early by d). Lease
// death is judged by Redis's own key expiry, so it needs no clock agreement.
// Durability is Redis's: with appendonly yes + appendfsync always an acknowledged step
// survives a Redis crash; with everysec up to a second of steps may be lost (never half).
// Keys live under `prefix` with hash tags per session and per user (see the README); the
// scripts that combine a session with its user's limits touch both, so the store needs one
// Redis primary (with replicas/Sentinel for failover), not Redis Cluster.
#pragma once

#include <memory>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/redis/redis_client.h"
#include "reagent/session/session_store.h"

namespace reagent {

struct RedisSessionStoreOptions {
  // Where Redis is and how to talk to it (ignored when a client is passed to Open).
  RedisClientOptions client;
  // Every key starts with "<prefix>:". Two deployments (or tests) on one Redis differ here.
  std::string prefix = "reagent";
  SessionStoreOptions store;
  // How long a turn lease survives without its owner renewing it (renewed every third of
  // it). Shorter frees a dead replica's sessions sooner; longer tolerates longer stalls
  // (a GC pause, a stopped VM) before another replica may take a session over.
  Duration lease_ttl = Seconds(15);
  // How long after its TTL an expired session stays inspectable (`reagent sessions list
  // --expired`, Steps) before Redis deletes it without a Sweep. 0: at once.
  Duration expired_retention = Seconds(0);

  Status Validate() const;
};

// Connects (RedisClient::Open), checks that the prefix holds reagent's layout and not a
// newer one (kFailedPrecondition naming the prefix otherwise) and returns the store. The
// clock must outlive the store and its leases.
Result<std::unique_ptr<SessionStore>> OpenRedisSessionStore(const RedisSessionStoreOptions& options, Clock& clock);
// The same over an existing client (one pool shared with pacing, breakers and the cache).
Result<std::unique_ptr<SessionStore>> OpenRedisSessionStore(std::shared_ptr<RedisClient> client,
                                                            const RedisSessionStoreOptions& options, Clock& clock);

// The key layout this build writes (stored under "<prefix>:meta").
int RedisSessionLayoutVersion();

}  // namespace reagent
