// One HTTP POST over a pooled libcurl handle, with prompt cancellation and a body sink.
// Internal to the llm layer.
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
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  Duration connect_timeout{0};
  Duration total_timeout{0};
  Duration poll_interval{0};
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
  std::string detail;  // libcurl's description of a failure (no secrets: the key is a header)
};

// Receives the body as it arrives, with the status and headers already known. Returns false
// to stop the transfer (outcome kAborted).
using BodySink = std::function<bool(int status, const HttpHeaders& headers, std::string_view bytes)>;

// A pool of libcurl handles; each keeps its own connection cache, so reusing a handle reuses
// its keep-alive connections. Thread-safe.
class CurlPool {
 public:
  explicit CurlPool(size_t max_idle);
  ~CurlPool();
  CurlPool(const CurlPool&) = delete;
  CurlPool& operator=(const CurlPool&) = delete;

  HttpResult Post(const HttpRequest& request, const BodySink& sink);

  struct Handle;

 private:
  std::shared_ptr<Handle> Acquire();
  void Release(std::shared_ptr<Handle> handle);

  const size_t max_idle_;
  std::mutex mu_;
  std::vector<std::shared_ptr<Handle>> idle_;
};

}  // namespace reagent::internal
