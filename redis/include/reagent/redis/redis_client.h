// RedisClient: a small pool of blocking hiredis connections to one Redis server, shared by
// every thread of a process. What the Redis-backed session store, pacing, breaker and cache
// are built on; usable directly for anything else an application keeps next to them.
//
//   REAGENT_ASSIGN_OR_RETURN(std::shared_ptr<RedisClient> redis,
//                            RedisClient::Open({.url = "redis://:secret@10.0.0.5:6379/2"}));
//   Result<RedisReply> pong = redis->Command({"PING"});
//   static const RedisScript kIncr("return redis.call('INCRBY', KEYS[1], ARGV[1])");
//   Result<RedisReply> n = redis->Eval(kIncr, {"counter"}, {"5"});
//
// Failures are Status values, never exceptions, and never contain the password:
//   - kUnavailable: cannot connect (refused, timed out, DNS), the connection broke, no reply
//     within command_timeout, the server is LOADING its data after a restart, or every
//     connection stayed busy for command_timeout. While a reconnect is backing off, calls
//     fail at once (no pile-up of threads waiting on a dead server) and the message says
//     when the next attempt is;
//   - kPermissionDenied: the password (or ACL user) was refused;
//   - kResourceExhausted: the server is out of memory (maxmemory with noeviction);
//   - kInternal: any other error reply (a script error, a wrong type) — a bug, not weather.
// A command whose connection broke may or may not have run on the server; scripts run
// whole or not at all, so nothing is ever half-applied.
//
// Thread-safe. Connections are opened lazily up to max_connections and reused; a pooled
// connection that the server closed (a restart, an idle timeout) is noticed before it is
// used and replaced, so the first call after the server comes back succeeds.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"

namespace reagent {

// Where a Redis server is, parsed from a URL:
//   redis://[[user]:password@]host[:port][/db]     host may be [v6 address]; port 6379, db 0
//   unix:///path/to/redis.sock[?db=N&password=P&user=U]
// Percent-escapes (%40 for '@') are decoded in the user, password and path. rediss:// (TLS)
// is refused: this build's hiredis has no TLS.
struct RedisEndpoint {
  std::string host;         // empty for a unix socket
  int port = 6379;
  std::string socket_path;  // set for unix://
  int db = 0;
  std::string user;         // ACL user (Redis 6+); empty: the default user
  std::string password;     // empty: no AUTH

  // kInvalidArgument naming what is wrong (the password is never echoed).
  static Result<RedisEndpoint> Parse(std::string_view url);
  // The URL with the password replaced by "***", for messages and logs.
  std::string Display() const;
};

// Every key reagent writes starts with "<prefix>:". A prefix is non-empty printable ASCII
// without spaces or braces (braces would change the keys' hash tags). kInvalidArgument.
Status CheckRedisKeyPrefix(std::string_view prefix);

struct RedisClientOptions {
  std::string url = "redis://127.0.0.1:6379/0";
  // Opening one connection (TCP connect, AUTH, SELECT). Short: a replica should learn fast
  // that Redis is gone rather than hold a user's request.
  Duration connect_timeout = Seconds(2);
  // Waiting for one reply (or for a free connection of the pool). A script that runs longer
  // is reported as unavailable; its effects, if it ran, are whole.
  Duration command_timeout = Seconds(2);
  // Connections kept at most; a thread beyond them waits up to command_timeout for one.
  int max_connections = 8;
  // After a failed connect, the next attempt waits this long, doubling up to the maximum
  // (with ±20 % jitter); calls in between fail at once. A success resets it.
  Duration reconnect_backoff = std::chrono::milliseconds(50);
  Duration max_reconnect_backoff = Seconds(2);
  // Open() connects once and PINGs, so a wrong URL, password or db fails at start-up.
  bool connect_at_open = true;

  Status Validate() const;
};

// A reply, copied out of hiredis (which never appears in reagent's headers).
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  int64_t integer = 0;
  std::vector<RedisReply> elements;  // kArray

  bool is_nil() const { return type == Type::kNil; }
  bool is_array() const { return type == Type::kArray; }
  // kString/kStatus: the text; kInteger: its decimal form; otherwise "".
  std::string_view text() const { return type == Type::kString || type == Type::kStatus ? str : std::string_view(); }
  // kInteger, or a kString holding a decimal integer; otherwise `fallback`.
  int64_t AsInt(int64_t fallback = 0) const;
  double AsDouble(double fallback = 0) const;
};

// A Lua script, sent once per server with SCRIPT LOAD and then run by its SHA-1
// (EVALSHA). A server that forgot it (restart, SCRIPT FLUSH) gets it again transparently.
// Define scripts as long-lived objects (static); they are thread-safe.
class RedisScript {
 public:
  explicit RedisScript(std::string source) : source_(std::move(source)) {}
  const std::string& source() const { return source_; }

 private:
  friend class RedisClient;
  std::string source_;
  mutable std::mutex mu_;
  mutable std::string sha_;  // known after the first SCRIPT LOAD
};

class RedisClient : public std::enable_shared_from_this<RedisClient> {
 public:
  using Args = std::vector<std::string_view>;

  // Validates the options (kInvalidArgument naming the field or URL problem) and, with
  // connect_at_open, connects once: kUnavailable / kPermissionDenied naming the endpoint.
  static Result<std::shared_ptr<RedisClient>> Open(const RedisClientOptions& options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // One command. An error reply is a Status (see above), not a kError reply.
  Result<RedisReply> Command(const Args& args);
  Result<RedisReply> Command(std::initializer_list<std::string_view> args) { return Command(Args(args)); }
  // Several commands on one connection in one round trip; one reply each, in order. Not a
  // transaction: wrap them in MULTI/EXEC (or use a script) for atomicity. An error reply of
  // one command is returned as its kError reply; a connection failure fails the whole call.
  Result<std::vector<RedisReply>> Pipeline(const std::vector<Args>& commands);
  // Runs a script atomically (EVALSHA, loading it on NOSCRIPT).
  Result<RedisReply> Eval(const RedisScript& script, const Args& keys, const Args& args);

  const RedisEndpoint& endpoint() const { return endpoint_; }
  const RedisClientOptions& options() const { return options_; }

  // For tests and diagnostics: connections currently open, and how many were ever opened.
  int open_connections() const;
  int64_t connects() const { return connects_.load(); }

 private:
  class Connection;
  class Borrowed;
  RedisClient(RedisClientOptions options, RedisEndpoint endpoint);
  Result<Borrowed> Borrow();
  void Return(std::unique_ptr<Connection> conn, bool healthy);
  Result<std::unique_ptr<Connection>> Connect();
  Status Unreachable(const std::string& why) const;
  Result<RedisReply> EvalOnce(Connection& conn, const RedisScript& script, const Args& keys,
                              const Args& args, bool* broken);

  const RedisClientOptions options_;
  const RedisEndpoint endpoint_;
  std::atomic<int64_t> connects_{0};

  mutable std::mutex mu_;
  std::condition_variable_any freed_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;                // idle + borrowed + being connected
  Duration backoff_{0};         // current reconnect backoff; 0: connected or never failed
  TimePoint retry_at_{};        // no connect attempt before this (steady clock)
  Status last_failure_;         // why the last connect failed
};

}  // namespace reagent
