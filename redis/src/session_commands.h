// The script arguments of RedisSessionStore's hot operations, built in one place so that the
// store and the benchmark's raw-hiredis baseline send exactly the same bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/redis/redis_session_store.h"

namespace reagent::redis_internal {

// Redis deletes a session's keys this long after its logical expiry at the earliest, so a
// clock that runs a little ahead of Redis's never sees keys vanish before their TTL.
inline constexpr Duration kExpirySlack = Seconds(60);

// The session TTL in µs and Redis's own expiry for a session's keys (ms), as script arguments.
std::string TtlArg(const RedisSessionStoreOptions& o);
std::string ExpireMsArg(const RedisSessionStoreOptions& o);

// ARGV of AppendScript() for `step` at `now` (messages encoded, ledger row built).
std::vector<std::string> AppendStepArgs(const RedisSessionStoreOptions& o, std::string_view session_id,
                                        const StepRecord& step, WallTime now);
// ARGV of LoadScript().
std::vector<std::string> LoadArgs(const RedisSessionStoreOptions& o, std::string_view session_id, WallTime now);

}  // namespace reagent::redis_internal
