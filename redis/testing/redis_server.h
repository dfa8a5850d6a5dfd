// A real redis-server for tests and benchmarks, started in a fresh temporary directory and
// stopped (and the directory removed) on destruction. It listens on a unix socket in that
// directory, so parallel test runs never share a port; with `tcp` also on a free port of
// 127.0.0.1. Data is kept in an append-only file fsynced on every write, so Restart() comes
// back with what was acknowledged, as a production server with AOF would.
//
//   auto redis = RedisServer::Start();
//   ASSERT_TRUE(redis.ok()) << redis.status();
//   auto client = RedisClient::Open({.url = (*redis)->url()});
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "reagent/core/status.h"

namespace reagent {

struct RedisServerOptions {
  bool tcp = false;          // also listen on a free TCP port of 127.0.0.1
  std::string password;      // requirepass; empty: none
  bool append_only = true;   // AOF (survives Restart)
  std::string fsync = "always";  // appendfsync: always (every write), everysec, no
};

class RedisServer {
 public:
  // kUnavailable when redis-server is not installed (the message says how to install it)
  // or does not start within a few seconds (its log is quoted).
  static Result<std::unique_ptr<RedisServer>> Start(const RedisServerOptions& options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // unix:///tmp/…/redis.sock (with ?password=… when one is set).
  std::string url() const;
  // redis://[:password@]127.0.0.1:PORT/0; empty without `tcp`.
  std::string tcp_url() const;
  const std::string& socket_path() const { return socket_; }
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

  // SIGKILL, no shutdown save: what a crash or an OOM kill does.
  void Kill();
  // Starts the server again on the same socket, port and data directory.
  Status Restart();
  // Whether the process is running (not killed, not exited).
  bool running() const { return pid_ > 0; }

 private:
  RedisServer(RedisServerOptions options, std::string dir);
  Status Launch();
  Status WaitReady();
  void Stop();

  const RedisServerOptions options_;
  const std::string dir_;
  std::string socket_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace reagent
