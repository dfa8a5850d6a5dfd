// The npm MCP servers of tests/mcp (installed by scripts/install-deps) for integration tests:
// where they are, whether they can run, and a streamable-HTTP server on a free port.
#pragma once

#include <string>

namespace reagent::testing {

// Empty when node and the installed servers are there; otherwise why not (for GTEST_SKIP).
std::string McpServersMissing();

// Paths of the servers' entry points (run them with `node`).
std::string EverythingServerJs();
std::string FilesystemServerJs();
std::string ConformanceJs();

// server-everything in streamable HTTP mode on a free 127.0.0.1 port, stopped (SIGINT, then
// SIGKILL, by its pid) when this object goes away.
class EverythingHttpServer {
 public:
  EverythingHttpServer();
  ~EverythingHttpServer();
  EverythingHttpServer(const EverythingHttpServer&) = delete;
  EverythingHttpServer& operator=(const EverythingHttpServer&) = delete;
  bool ok() const { return pid_ > 0 && port_ > 0; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }
  const std::string& log() const { return log_; }

 private:
  int pid_ = -1;
  int port_ = 0;
  std::string log_;
};

}  // namespace reagent::testing
