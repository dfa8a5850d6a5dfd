// The two MCP transports behind one interface. Private to the mcp library.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "reagent/core/cancellation.h"
#include "reagent/core/status.h"
#include "reagent/mcp/mcp_server_config.h"

namespace reagent::mcp_internal {

using SteadyTime = std::chrono::steady_clock::time_point;

// What a transport reports. Called from the transport's threads (the stdio reader, an HTTP
// stream); the client serializes its own state.
struct TransportEvents {
  // One JSON-RPC message (an object; batches are split by the transport).
  std::function<void(nlohmann::json message)> message;
  // A message that could not be taken (too large, too deep, not JSON) but did not break the
  // stream. `id` is the request it answers when that could be recovered.
  std::function<void(std::optional<nlohmann::json> id, const std::string& error)> bad_message;
  // A line of output that is not a JSON-RPC message, tolerated (stdio servers sometimes print
  // banners); a sample for error messages.
  std::function<void(const std::string& sample)> noise;
  // The connection is gone for good (process exited, fatal protocol error); `reason` says why.
  std::function<void(const std::string& reason)> closed;
};

struct SendOptions {
  SteadyTime deadline = SteadyTime::max();
  CancellationToken cancel;
  // Set when the message is a request: HTTP reads its POST's answer until the response with
  // this id has been delivered.
  const nlohmann::json* request_id = nullptr;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Starts the connection; events flow from now on.
  virtual Status Start(TransportEvents events) = 0;
  // Sends one message. stdio writes it (bounded by the deadline: a server that stops reading
  // its stdin cannot block the caller). HTTP POSTs it and, for a request, reads the answer
  // (JSON or SSE, resuming a dropped SSE stream with Last-Event-ID) until the response
  // arrives, the deadline passes or `cancel` fires. An error means this message (or its
  // answer) failed; the connection may still be usable unless `closed` was reported.
  virtual Status Send(const nlohmann::json& message, const SendOptions& options) = 0;
  // After initialize: the negotiated revision (HTTP sends it as MCP-Protocol-Version) and the
  // start of the optional GET stream for server-initiated messages.
  virtual void Initialized(const std::string& protocol_version) { (void)protocol_version; }
  // Clean shutdown (see McpClient::Close). Idempotent; no events after it returns.
  virtual void Close() = 0;
  virtual const char* kind() const = 0;  // "stdio" | "http"
};

std::unique_ptr<Transport> MakeStdioTransport(const McpServerConfig& config);
std::unique_ptr<Transport> MakeHttpTransport(const McpServerConfig& config);

}  // namespace reagent::mcp_internal
