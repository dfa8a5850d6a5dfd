// How reagent names its Redis keys. Everything lives under a prefix ("reagent" by default),
// and every key of one session carries that session's id as its hash tag ({id}), so one
// session's summary, messages, steps and leases share a Redis Cluster slot; a user's
// limit and ledger keys share the user's slot ({u:…}).
//
//   <p>:s:{<id>}          hash: owner, times, counts, totals, metadata
//   <p>:s:{<id>}:m        list: the messages, encoded (message_codec.h)
//   <p>:s:{<id>}:st       list: the steps' ledger rows (JSON)
//   <p>:s:{<id>}:t        zset: the session's turn leases → their cap (µs)
//   <p>:s:{<id>}:l:<lease> string with a Redis expiry: the lease's heartbeat
//   <p>:u:{<user>}:t      zset: the user's turn leases ("<id> <lease>") → cap
//   <p>:u:{<user>}:r      zset: the user's turn starts inside the request window
//   <p>:u:{<user>}:s      zset: the user's sessions → last access
//   <p>:u:{<user>}:ledger hash: "<day>|<id>|<field>" → totals (steps, tokens, cost)
//   <p>:lru               zset: every session → last access (LRU and listing)
//   <p>:turnusers, <p>:ledgerusers   sets of users with leases / with ledger rows
//   <p>:meta              hash: the layout's format version
// The Lua scripts (session_scripts.cc) build the same names; keep the two in step.
#pragma once

#include <string>
#include <string_view>

#include "reagent/core/status.h"

namespace reagent::redis_internal {

// A user id as it appears inside a key: bytes outside [A-Za-z0-9._@-] become %XX, so no
// user id can close a hash tag or forge another key's structure.
std::string EscapeKeyPart(std::string_view s);
std::string UnescapeKeyPart(std::string_view s);

std::string SessionKey(std::string_view prefix, std::string_view session_id, std::string_view part = "");
std::string LeaseKey(std::string_view prefix, std::string_view session_id, std::string_view lease_id);

}  // namespace reagent::redis_internal
