// The Lua scripts of RedisSessionStore: each store operation is one script, so each runs
// atomically on the server (a step is appended whole or not at all; a turn's limit check and
// its claim cannot interleave with another replica's). Key names follow redis_keys.h.
//
// Every script takes the key prefix as ARGV[1]. Times are integer microseconds on the
// store's injected clock, passed as decimal strings (Lua numbers are doubles: exact for
// comparisons at this magnitude, but never written back, to avoid exponent notation).
// Replies are arrays whose first element says what happened: "OK", "NOTFOUND", "EXPIRED",
// "TURNS" (concurrent-turn limit), "WINDOW" (request window), "INUSE", "COLLISION".
#pragma once

#include "reagent/redis/redis_client.h"

namespace reagent::redis_internal {

// ARGV: prefix, id, user, escaped user, now, metadata JSON ("" = null), expire ms, max_sessions
// → {"OK", evicted} | {"COLLISION"}
const RedisScript& CreateScript();
// ARGV: prefix, id, now, ttl → {"OK", {fields…}} | {"NOTFOUND"} | {"EXPIRED"}
const RedisScript& GetInfoScript();
// As GetInfo, plus the encoded messages: {"OK", {fields…}, {messages…}}
const RedisScript& LoadScript();
// ARGV: prefix, id, now, ttl, expire ms, day, step row JSON, prompt, completion, cached,
//       cost ("" = unpriced), messages… → {"OK"} | {"NOTFOUND"} | {"EXPIRED"}
const RedisScript& AppendScript();
// ARGV: prefix, id, now, ttl, max concurrent, max requests, window start (µs, inclusive),
//       lease id, lease ttl ms, lease cap (µs), expire ms, window ms
// → {"OK", user} | {"TURNS", user, running} | {"WINDOW", user, oldest µs} | NOTFOUND | EXPIRED
const RedisScript& BeginTurnScript();
// ARGV: prefix, id, escaped user, lease id → {"OK"}
const RedisScript& EndTurnScript();
// ARGV: prefix, id, now, ttl, expire ms → {"OK"} | NOTFOUND | EXPIRED
const RedisScript& TouchScript();
// ARGV: prefix, id, now → {"OK"} | {"NOTFOUND"} | {"INUSE"}
const RedisScript& DeleteScript();
// ARGV: prefix, escaped user ("" = all), now, ttl, mode ("live", "expired", "all"), limit
// → {id, fields…, id, fields…}: most recent first, ties complete at the limit
const RedisScript& ListScript();
// ARGV: prefix, id → {"OK", {rows…}} | {"NOTFOUND"}
const RedisScript& StepsScript();
// ARGV: prefix, escaped user ("" = all) → {escaped user, {field, value, …}, …}
const RedisScript& UsageScript();
// ARGV: prefix, now, expired-before (µs, inclusive), max_sessions → {expired, evicted, abandoned}
const RedisScript& SweepScript();
// ARGV: prefix, escaped user, now → live leases
const RedisScript& RunningTurnsScript();

// The session hash's fields in the order the scripts return them.
enum SessionField { kUser, kCreated, kAccess, kSteps, kMessages, kPrompt, kCompletion, kCached, kCost,
                    kUnpriced, kMetadata, kFieldCount };

}  // namespace reagent::redis_internal
