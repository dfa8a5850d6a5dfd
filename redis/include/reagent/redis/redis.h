// reagent on Redis: one shared state for many replicas of a backend. Sessions, per-user
// limits and the usage ledger (RedisSessionStore), the provider pacing buckets, the
// circuit breakers and the response cache (redis_shared_state.h) live in one Redis server,
// behind the same interfaces the agent already uses — an Agent does not know whether its
// store is SQLite, memory or Redis, or whether its limiter is shared.
//
//   #include "reagent/redis/redis.h"
//
//   SystemClock& clock = SystemClock::Default();
//   auto redis = RedisClient::Open({.url = "redis://:secret@10.0.0.5:6379/0"});
//   if (!redis.ok()) return redis.status();                  // unreachable, wrong password
//   auto sessions = OpenRedisSessionStore(*redis, {.store = {.max_concurrent_turns_per_user = 3}}, clock);
//
//   std::vector<ResilientModelSpec> chain;
//   for (auto& [model, name] : models) {
//     ResilientModelSpec spec{.model = model, .model_name = name};
//     spec.pacing_state = MakeRedisPacingState(*redis, name + "@api.openai.com", {}, clock);
//     spec.breaker_state = MakeRedisBreakerState(*redis, name + "@api.openai.com", {});
//     chain.push_back(std::move(spec));
//   }
//   auto resilient = MakeResilientModel(std::move(chain), {.limiter = {.requests_per_period = 600}}, clock, random);
//   auto cache = std::make_shared<RedisResponseCache>(*redis, RedisSharedStateOptions{});
//   auto model = std::make_shared<CachingModel>(*resilient, cache);
//   auto agent = Agent::Create(options, {.model = model, ..., .sessions = std::move(*sessions)});
//
// One turn on replica A, with the state in Redis:
//   1. BeginTurn: one script checks the user's running turns and request window across all
//      replicas and claims a lease (a key A renews while the turn runs);
//   2. Load: the session's summary and history in one script;
//   3. each model call: the response cache (a hit on any replica's answer), then the
//      breaker's shared state, then a reservation from the shared RPM/TPM buckets — so
//      replicas together stay under the provider's limit — then the HTTP call; the real
//      usage settles the token bucket and the outcome updates the breaker for everyone;
//   4. AppendStep: messages, usage, ledger and last access in one script per step;
//   5. the lease is released (or, if A died, expires within lease_ttl).
//
// Failures: Redis unreachable is kUnavailable naming the endpoint (never the password). The
// session store then refuses to begin a turn (nothing is spent) and a step that cannot be
// written ends the turn with that error; the written steps are whole. Pacing and the cache
// fail closed by default (the call is not sent) or, with fail_open, carry on from this
// process alone; breakers always fail closed. The client reconnects by itself when Redis is
// back: no restart of the replica is needed.
#pragma once

#include "reagent/redis/redis_client.h"
#include "reagent/redis/redis_session_store.h"
#include "reagent/redis/redis_shared_state.h"
