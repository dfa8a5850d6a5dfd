// Server: reagent as an HTTP backend (`reagent serve`), for chatbot backends not written in
// C++. One process, one runtime — one Agent, one session store, one sanitizer, one model
// chain — shared by every request.
//
//   auto runtime = BuildRuntime(config);                    // reagent/runtime/runtime.h
//   if (!runtime.ok()) return runtime.status();
//   auto server = Server::Start(std::move(*runtime), {.config = config.server});
//   if (!server.ok()) return server.status();
//   std::printf("%d\n", (*server)->port());
//   ...                                                     // until SIGTERM
//   (*server)->Drain(Seconds(30));                           // running turns may finish
//
// Endpoints (OpenAI's shapes where OpenAI has one; errors are {"error": {message, type,
// param, code}}):
//   POST   /v1/chat/completions  one agent turn, JSON or SSE (stream: true)
//   GET    /v1/models            the agent ("reagent") and the models of its chain
//   POST   /v1/sessions          create a session     GET /v1/sessions       the caller's sessions
//   GET    /v1/sessions/{id}     messages, steps, usage, cost      DELETE /v1/sessions/{id}
//   GET    /health  liveness     GET /ready  store and models usable, not draining
//   GET    /metrics Prometheus   GET /  the chat page
//
// One chat request, in order:
//  1. the transport reads it under limits (head 16 KiB, body max_body_bytes → 413, garbage → 400);
//  2. the bearer key is hashed and looked up (401 otherwise); it names the user;
//  3. the body is parsed as untrusted JSON (depth, numbers; 400 naming the problem) and read
//     as a chat request: only the last message, the user's, is new input;
//  4. the turn is admitted: running < max_concurrent_turns, else queued up to
//     max_queued_turns, else 503 + Retry-After;
//  5. on a worker: the session (X-Session-Id or metadata.session_id, the caller's own; a new
//     one otherwise, returned in X-Session-Id) and Agent::Run, whose per-user limits answer
//     429 + Retry-After and whose injection filter answers 400 input_blocked;
//  6. the answer streams as chat.completion.chunk deltas (progress as ": reagent {...}"
//     comments) and ends with the stop reason, usage and cost, then "data: [DONE]"; or one
//     chat.completion. A client that disconnects cancels its turn; the steps so far stay
//     stored.
// Status codes for turns that end without an answer: blocked 400, budget_exhausted 402,
// max_steps 422, deadline 504, models_unavailable 503 (+ Retry-After), error 502.
//
// Thread-safe. Start, Drain and the destructor are called by the owner's thread.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/runtime/runtime.h"
#include "reagent/runtime/server_config.h"

namespace reagent::server {

struct ServerOptions {
  // Listening address, keys, limits, timeouts (the config file's "server" section).
  ServerConfig config;
  // Receives each JSON access-log line (without a newline); null: config.access_log decides.
  std::function<void(std::string_view line)> access_log;
};

struct ServerContext;  // what the handlers share (internal)

class Server {
 public:
  // Checks the keys (InvalidArgument naming the entry; no keys and no allow_anonymous is an
  // error), binds (Unavailable when the address is taken) and starts serving.
  static Result<std::unique_ptr<Server>> Start(std::unique_ptr<Runtime> runtime, ServerOptions options);

  // Drain(0) if Drain was not called.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful with port 0).
  int port() const;

  // Graceful stop: stops accepting (and /ready says 503), answers queued turns 503 with
  // Retry-After, lets running turns finish for up to `grace`, then cancels them (their steps
  // stay stored) and waits for their answers to be written. Returns when every connection
  // is closed. Idempotent.
  void Drain(Duration grace);

  // Cancels every running turn now (their steps stay stored); for a second SIGTERM while
  // Drain waits out its grace period. Thread-safe.
  void CancelRunning();

  // Turns running now / waiting for a worker.
  int64_t running_turns() const;
  int64_t queued_turns() const;

 private:
  explicit Server(std::unique_ptr<ServerContext> context);
  std::unique_ptr<ServerContext> context_;
};

}  // namespace reagent::server
