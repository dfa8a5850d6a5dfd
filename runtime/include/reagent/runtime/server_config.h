// The "server" section of the configuration file: what `reagent serve` listens on, who may
// call it (API keys, stored only as SHA-256 hashes) and how much work it admits at once.
// Every key is optional; a wrong key or type is an error naming it ("server.port: ...").
//
//   "server": {"host": "127.0.0.1", "port": 8080,
//              "keys": [{"user": "alice", "sha256": "<64 hex digits>"},
//                       {"user": "bob", "key_env": "REAGENT_KEY_BOB"}],
//              "max_concurrent_turns": 64, "max_queued_turns": 256, "max_body_bytes": 1048576}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reagent/core/json.h"

namespace reagent {

// One API key: the user it authenticates as, and either the SHA-256 of the key (hex) or the
// environment variable holding the key itself (hashed when the server starts, never kept).
struct ServerKeyConfig {
  std::string user;
  std::string sha256;   // 64 lower- or upper-case hex digits
  std::string key_env;  // alternative to sha256
};

struct ServerConfig {
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // 0: pick a free port (printed first on stdout)
  std::vector<ServerKeyConfig> keys;
  // Without keys the server refuses to start unless this is set; then every request runs as
  // anonymous_user. Meant for a local playground, never for a shared deployment.
  bool allow_anonymous = false;
  std::string anonymous_user = "anonymous";
  // Turns running at once (each holds a worker thread while the model thinks). More serves
  // more users at once and costs a thread stack per running turn.
  int64_t max_concurrent_turns = 64;
  // Turns waiting for a worker; beyond this a request gets 503 with Retry-After at once.
  int64_t max_queued_turns = 256;
  // The Retry-After given with that 503 (and while draining).
  double retry_after_s = 1;
  // Request bodies above this get 413 before they are read.
  int64_t max_body_bytes = 1 << 20;
  // Open connections; beyond this new ones are closed at once (each costs a few KiB).
  int64_t max_connections = 4096;
  // Event-loop threads (parsing, writing). Turns run on their own workers.
  int64_t io_threads = 2;
  // A request's head and body must arrive within this (slow clients are cut off).
  double request_timeout_s = 30;
  // An idle keep-alive connection is closed after this.
  double idle_timeout_s = 60;
  // A comment line is sent on a quiet SSE stream this often, so proxies keep it open.
  double sse_keepalive_s = 15;
  // A client that reads nothing of a response for this long is disconnected (its turn is
  // cancelled).
  double write_timeout_s = 30;
  // On SIGTERM: running turns may finish for this long, then they are cancelled.
  double drain_grace_s = 30;
  // "stderr", "stdout", "off", or a file to append JSON access-log lines to.
  std::string access_log = "stderr";
};

// Reads the "server" object into `server`; problems are appended to `errors` as
// "server.key: message". Used by ParseConfig.
void ParseServerSection(const Json& json, ServerConfig& server, std::vector<std::string>& errors);

// The effective "server" section for `reagent config check`: key hashes shortened, variables
// shown with whether they are set.
Json ServerConfigJson(const ServerConfig& server);

}  // namespace reagent
