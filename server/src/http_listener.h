// The server's HTTP/1.1 transport: an event loop (Boost.Asio) that accepts connections,
// parses requests with Boost.Beast's parser under hard limits, and writes responses and SSE
// streams without a thread per connection. A connection costs a few KiB whether it is idle,
// waiting for a worker or streaming; only running turns hold threads (the server's workers).
//
// Hostile clients are cut off early: a head over max_header_bytes → 431, a body announced or
// grown over max_body_bytes → 413 before it is read, bytes that are not HTTP → 400, a request
// that does not arrive within request_timeout → 408, a client that reads nothing for
// write_timeout → disconnected. Each of these closes the connection after a short linger, so
// the client reads the error instead of a reset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "http_exchange.h"

namespace reagent::server {

struct HttpListenerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port (see port())
  int io_threads = 2;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1 << 20;
  int64_t max_connections = 4096;
  Duration request_timeout = Seconds(30);
  Duration idle_timeout = Seconds(60);
  Duration write_timeout = Seconds(30);
  Duration sse_keepalive = Seconds(15);
  // Bytes a client may leave unread on a stream before Write reports it gone.
  size_t max_stream_backlog = 4 << 20;
};

class HttpListener {
 public:
  // Binds, listens and starts the event-loop threads. `handler` is called for every request
  // (on a loop thread; it must not block), `on_done` once per answered request.
  static Result<std::unique_ptr<HttpListener>> Start(HttpListenerOptions options, HttpHandler handler,
                                                     std::function<void(const ExchangeRecord&)> on_done);
  ~HttpListener();  // Shutdown()
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const;

  // Stops accepting; idle keep-alive connections are closed, responses in progress finish
  // with "Connection: close". Idempotent.
  void StopAccepting();
  // Closes every connection (running exchanges see client_gone) and joins the loop threads.
  // Idempotent.
  void Shutdown();

  int64_t open_connections() const;
  int64_t open_streams() const;

  struct Impl;

 private:
  explicit HttpListener(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace reagent::server
