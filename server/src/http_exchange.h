// One HTTP request and its response, as the server's handlers see them: the parsed request,
// and a thread-safe way to answer it — whole, or as a chunked stream (SSE) written piece by
// piece from a worker thread. The transport (http_listener.h) implements it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reagent/core/cancellation.h"
#include "reagent/core/json.h"

namespace reagent::server {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // as sent: "/v1/sessions/abc?limit=5"
  std::string path;     // target without the query
  std::string query;    // after '?', undecoded
  HttpHeaders headers;  // names lower-cased, in arrival order
  std::string body;
  std::string remote;   // "127.0.0.1:41234"

  // The first header of that (lower-case) name.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  HttpHeaders headers;  // besides Content-Type/Length, Connection, Date
  std::string body;
};

// Thread-safe; every method may be called from any thread. Exactly one of Respond or
// BeginStream…EndStream answers a request; calls after the answer are ignored.
class Exchange {
 public:
  virtual ~Exchange() = default;

  virtual const HttpRequest& request() const = 0;

  // Sends a whole response.
  virtual void Respond(HttpResponse response) = 0;

  // Starts a chunked response (status and headers go out now) for server-sent events:
  // Write sends a piece, EndStream the terminating chunk. While the stream is quiet the
  // transport sends an SSE comment now and then so proxies keep it open.
  virtual void BeginStream(int status, std::string content_type, HttpHeaders headers) = 0;
  // False when the client is gone or has not read what was sent before (its backlog is
  // over the limit): the caller should stop producing.
  virtual bool Write(std::string data) = 0;
  virtual void EndStream() = 0;

  // Cancelled when the client disconnects, stops reading, or the server shuts down.
  virtual CancellationToken client_gone() const = 0;

  // Adds a field to this request's access-log line (user, session, stop reason, cost...).
  virtual void LogField(std::string key, Json value) = 0;
};

// A handler is called on an event-loop thread: it must not block. Long work (a turn, a
// database query) goes to a worker, which answers through the exchange when done.
using HttpHandler = std::function<void(std::shared_ptr<Exchange>)>;

// What the transport knows of a finished request (for the access log and metrics).
struct ExchangeRecord {
  std::string method;
  std::string path;
  int status = 0;
  int64_t bytes_in = 0;
  int64_t bytes_out = 0;
  double duration_s = 0;
  bool streamed = false;
  bool client_gone = false;  // the client disconnected before the response was complete
  std::string remote;
  std::string request_id;
  Json fields = Json::object();  // from LogField
};

}  // namespace reagent::server
