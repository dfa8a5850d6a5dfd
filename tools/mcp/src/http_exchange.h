// One HTTP exchange with an MCP endpoint over libcurl: any method, the body handed to a sink
// as it arrives, prompt cancellation, a pool of handles for keep-alive. Private to mcp.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/cancellation.h"
#include "transport.h"

namespace reagent::mcp_internal {

struct HttpCall {
  std::string method;                 // "POST", "GET", "DELETE"
  std::string url;
  std::vector<std::string> headers;   // "Name: value"
  std::string body;
  SteadyTime deadline = SteadyTime::max();  // max: no overall limit (a long-lived GET stream)
  CancellationToken cancel;
};

struct HttpReply {
  enum class Outcome { kCompleted, kTimedOut, kCancelled, kStopped, kNetwork };
  Outcome outcome = Outcome::kNetwork;
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string detail;                          // libcurl's words for a failure
};

// Receives the body in pieces (status and headers are known by then); false stops the
// transfer (outcome kStopped).
using HttpBodySink = std::function<bool(const HttpReply& head, std::string_view bytes)>;

// Thread-safe; each Perform uses its own handle.
class HttpExchanger {
 public:
  HttpExchanger();
  ~HttpExchanger();
  HttpExchanger(const HttpExchanger&) = delete;
  HttpExchanger& operator=(const HttpExchanger&) = delete;

  HttpReply Perform(const HttpCall& call, const HttpBodySink& sink);

  struct Handle;

 private:
  std::shared_ptr<Handle> Acquire();
  void Release(std::shared_ptr<Handle> h);
  std::mutex mu_;
  std::vector<std::shared_ptr<Handle>> idle_;
};

}  // namespace reagent::mcp_internal
