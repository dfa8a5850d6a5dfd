// What the server's handlers share: the runtime (agent, store, chain), the key ring, the
// metrics, the schedulers and the draining state. Internal to the server.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "access_log.h"
#include "api_keys.h"
#include "http_exchange.h"
#include "http_listener.h"
#include "metrics.h"
#include "reagent/core/cancellation.h"
#include "reagent/runtime/runtime.h"
#include "reagent/runtime/server_config.h"
#include "turn_scheduler.h"

namespace reagent::server {

struct ServerContext {
  ServerContext(ServerConfig c, std::unique_ptr<Runtime> rt)
      : config(std::move(c)),
        runtime(std::move(rt)),
        turns(config.max_concurrent_turns, config.max_queued_turns),
        // Session-API calls are short SQLite queries; two workers keep them off the event loop.
        store_work(2, 1024) {}

  ServerConfig config;
  std::unique_ptr<Runtime> runtime;
  KeyRing keys;
  Metrics metrics;
  std::unique_ptr<AccessLog> access_log;
  TurnScheduler turns;
  TurnScheduler store_work;
  std::vector<std::string> model_ids;  // GET /v1/models: "reagent", then the chain's models
  bool react = true;                   // the agent's mode (which part of a reply is the answer)
  std::atomic<bool> draining{false};
  CancellationSource shutdown;         // cancelled when the drain's grace period ends
  int64_t started_unix = 0;
  std::unique_ptr<HttpListener> listener;  // declared last: closed before the rest goes
};

// 401 in OpenAI's shape (and nullopt) unless the request carries a known bearer key (or the
// server runs anonymously); the user id otherwise. The key is never logged.
std::optional<std::string> Authenticate(ServerContext& ctx, Exchange& exchange);

// POST /v1/chat/completions.
void HandleChatCompletions(ServerContext& ctx, std::shared_ptr<Exchange> exchange, std::string user);

// /v1/sessions and /v1/sessions/{id}.
void HandleSessions(ServerContext& ctx, std::shared_ptr<Exchange> exchange, std::string user);

// Declares every metric family the server reports (README "Metrics").
void DeclareServerMetrics(Metrics& metrics);

// An error Response for a Status from the store or the agent (404 for unknown or foreign
// sessions, 429 + Retry-After for rate limits, 409 for a busy session, 500 otherwise).
HttpResponse StatusResponse(const Status& status, double default_retry_after_s);

}  // namespace reagent::server
