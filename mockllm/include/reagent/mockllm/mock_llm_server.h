// MockLlmServer: an OpenAI-compatible chat server on 127.0.0.1 for demos, tests and fault
// drills (`reagent mock-llm`). It speaks the real wire protocol — POST /v1/chat/completions
// (JSON and SSE streaming, tools, usage, realistic ids and headers), GET /v1/models,
// GET /health — and injects the failures real providers produce: rate limits (429 with
// retry-after and x-ratelimit-* headers), quota exhaustion, 5xx, outages, latency, garbage
// bodies, truncated streams, bad keys.
//
//   MockLlmServer server({.rpm = 60});
//   if (Status s = server.Start(); !s.ok()) ...
//   std::string url = server.base_url();   // "http://127.0.0.1:PORT/v1"
//
// Thread-safe: requests are served on a pool of threads; counters() may be read at any time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"

namespace reagent::mockllm {

struct MockLlmOptions {
  // Loopback only by default; the port 0 picks a free one (see port()).
  std::string host = "127.0.0.1";
  int port = 0;
  // Listed by GET /v1/models. Any model name is accepted in requests.
  std::vector<std::string> models = {"mock-gpt", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o-mini"};
  // Scripted replies instead of the deterministic brain: an array (for every model), an
  // object {model: [replies]}, or a whole scenario file (its "models"). Reply format as in
  // scenario files. Null: the brain answers.
  nlohmann::json script;
  // Provider limits over a sliding 60 s window (shared by all models). 0: unlimited. Tokens of
  // a request are estimated as prompt bytes / 4 plus max_tokens, as providers pre-count.
  int64_t rpm = 0;
  int64_t tpm = 0;
  // The length of those windows. Providers use 60 s; a shorter window makes demos and
  // time-scaled benchmarks show 429s and their Retry-After in seconds instead of minutes
  // (rpm then means "requests per window").
  Duration rate_window = std::chrono::seconds(60);
  // Probability of an injected 500/502/503 (in equal parts). 502 bodies are HTML, as proxies send.
  double fail_rate = 0;
  // Added before answering: latency_ms plus uniform [0, jitter_ms).
  int64_t latency_ms = 0;
  int64_t jitter_ms = 0;
  // [start, end) in seconds since Start(): every completion answers 503.
  std::optional<std::pair<double, double>> outage;
  // Every completion answers 429 insufficient_quota.
  bool quota_exhausted = false;
  // Probability of a garbage reply: invalid JSON for plain requests, a stream cut off without
  // [DONE] (or with an invalid chunk) for streaming ones.
  double garbage_rate = 0;
  // Non-empty: requests must carry "Authorization: Bearer <key>", else 401.
  std::string require_key;
  // Seed of the fault dice and ids; the same seed gives the same sequence of faults.
  uint64_t seed = 1;
  // Characters (whole UTF-8 sequences) of content per SSE chunk.
  size_t stream_chunk_chars = 8;
  // 0: each SSE event is written whole. N > 0: the stream is written in N-byte pieces, so
  // clients see events split at arbitrary byte positions.
  size_t sse_write_bytes = 0;
  // Whether streams end with "data: [DONE]". false imitates servers that just close after the
  // finish chunk (older llama.cpp and Ollama builds).
  bool send_done = true;
  // Pause between SSE events (for cancellation tests and demos of streaming).
  int64_t stream_delay_ms = 0;
  // How long a scripted {"timeout": true} holds the request before answering 504 (Stop()
  // releases it at once).
  int64_t timeout_hold_ms = 30000;
  // Most worker threads serving connections. A connection holds one for its whole life (idle
  // keep-alive time included), so the pool grows with the open connections up to this; more
  // connections than this wait for a free worker. Default 1024.
  size_t threads = 1024;
  // Request bodies larger than this are refused with 413 (a chat request is kilobytes);
  // a Content-Length that is not a plain decimal gets 400 and the connection closed.
  size_t max_body_bytes = size_t{64} << 20;
  // Time for windows, outages and waits. Default: SystemClock::Default(). A ManualClock makes
  // latency and holds instant and lets tests move the rate windows.
  Clock* clock = nullptr;
};

// Totals since Start(). Every completion request lands in exactly one outcome counter.
struct MockLlmCounters {
  int64_t requests = 0;          // POST /v1/chat/completions received
  int64_t ok = 0;                // answered 200 with a proper reply
  int64_t streamed = 0;          // of those, streamed
  int64_t rate_limited = 0;      // 429 rate_limit_exceeded (rpm or tpm)
  int64_t quota_exhausted = 0;   // 429 insufficient_quota
  int64_t unauthorized = 0;      // 401
  int64_t bad_requests = 0;      // 400: unparsable or invalid body
  int64_t injected_failures = 0; // --fail-rate 5xx
  int64_t outage = 0;            // 503 during --outage
  int64_t garbage = 0;           // invalid or truncated replies
  int64_t scripted_errors = 0;   // errors and timeouts from the script (incl. exhausted)
  int64_t prompt_tokens = 0;     // usage reported in replies
  int64_t completion_tokens = 0;
  int64_t connections = 0;       // distinct client connections that sent a completion
};

class MockLlmServer {
 public:
  explicit MockLlmServer(MockLlmOptions options = {});
  ~MockLlmServer();  // Stop()s
  MockLlmServer(const MockLlmServer&) = delete;
  MockLlmServer& operator=(const MockLlmServer&) = delete;

  // Validates the options and the script (errors name the JSON path), binds and starts
  // serving on a background thread.
  Status Start();
  // Stops accepting, releases held requests and waits for the serving thread. Idempotent.
  void Stop();

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>/v1"
  MockLlmCounters counters() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace reagent::mockllm
