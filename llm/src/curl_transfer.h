// One HTTP exchange over a pooled libcurl handle, with prompt cancellation and a body sink.
// Shared by the OpenAI-compatible client and the MCP streamable-HTTP transport (reagent::mcp
// includes this directory privately); not part of the installed API.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/llm/http_headers.h"

namespace reagent::internal {

struct HttpRequest {
  // "POST" sends `body`; "GET" sends none; any other method ("DELETE") is sent as is,
  // without a body.
  std::string method = "POST";
  std::string url;                   // http:// or https:// (other schemes are refused)
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  Duration connect_timeout{0};
  Duration total_timeout{0};  // zero: no overall limit (a long-lived event stream)
  Duration poll_interval{0};  // how often cancellation is looked at between wakeups
  // Offer the encodings libcurl can decode (Accept-Encoding) and hand the sink decoded bytes.
  bool accept_compressed = false;
  CancellationToken cancel;
};

enum class TransferOutcome {
  kCompleted,   // a full HTTP response was received (any status)
  kTimedOut,
  kCancelled,
  kAborted,     // the body sink asked to stop
  kNetwork,     // connect, DNS, reset, TLS
  kTruncated,   // the connection closed in the middle of the body
};

struct HttpResult {
  TransferOutcome outcome = TransferOutcome::kNetwork;
  int status = 0;
  HttpHeaders headers;
  std::string detail;  // libcurl's description of a failure (no secrets: keys are headers)
};

// Receives the body as it arrives, with the status and headers already known. Returns false
// to stop the transfer (outcome kAborted).
using BodySink = std::function<bool(int status, const HttpHeaders& headers, std::string_view bytes)>;

// A pool of libcurl handles; each keeps its own connection cache, so reusing a handle reuses
// its keep-alive connections. A handle goes back to the pool only after a completed exchange:
// libcurl closes the connection of a stopped or failed transfer, so such a handle has nothing
// worth keeping. Thread-safe; each Perform uses a handle of its own.
class CurlPool {
 public:
  explicit CurlPool(size_t max_idle);
  ~CurlPool();
  CurlPool(const CurlPool&) = delete;
  CurlPool& operator=(const CurlPool&) = delete;

  HttpResult Perform(const HttpRequest& request, const BodySink& sink);

  struct Handle;

 private:
  std::shared_ptr<Handle> Acquire();
  void Release(std::shared_ptr<Handle> handle);

  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Handle>> idle_;
};

}  // namespace reagent::internal
