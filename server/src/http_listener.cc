#include "http_listener.h"

#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "openai_format.h"
#include "reagent/core/logging.h"

namespace reagent::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

// Unparsed bytes kept per connection: a head (≤ max_header_bytes) plus what a client sends
// ahead while its previous request is being answered.
constexpr size_t kReadBuffer = 64 * 1024;
constexpr size_t kWatchChunk = 4096;
// After an error that closes the connection, what the client still sends is read and dropped
// for this long (and up to this much), so it sees the error response instead of a reset.
constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kMaxLingerBytes = 64 << 20;
constexpr size_t kDiscardChunk = 16384;
// Pieces of one write gathered into a single send.
constexpr size_t kMaxGather = 64;

std::string ReasonPhrase(int status) {
  const auto reason = http::obsolete_reason(static_cast<http::status>(status));
  return reason.empty() ? "Unknown" : std::string(reason);
}

// A client's X-Request-Id is echoed when it is short and plain; otherwise one is made.
bool PlainRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string ChunkFrame(std::string_view data) {
  return fmt::format("{:x}\r\n", data.size()).append(data).append("\r\n");
}

class Connection;

}  // namespace

struct HttpListener::Impl {
  HttpListenerOptions options;
  HttpHandler handler;
  std::function<void(const ExchangeRecord&)> on_done;
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  std::vector<std::thread> threads;
  int bound_port = 0;

  std::mutex mu;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> connections;
  std::atomic<int64_t> open_connections{0};
  std::atomic<int64_t> open_streams{0};
  std::atomic<bool> draining{false};
  std::atomic<bool> shut_down{false};
  std::atomic<uint64_t> next_request{0};
  uint64_t id_salt = 0;

  void Accept();
  void Forget(Connection* c) {
    std::lock_guard lock(mu);
    connections.erase(c);
  }
  std::vector<std::shared_ptr<Connection>> Live() {
    std::vector<std::shared_ptr<Connection>> out;
    std::lock_guard lock(mu);
    for (auto& [raw, weak] : connections) {
      if (auto c = weak.lock()) out.push_back(std::move(c));
    }
    return out;
  }
  std::string NewRequestId() {
    return fmt::format("req_{:08x}{:08x}", static_cast<uint32_t>(id_salt),
                       static_cast<uint32_t>(next_request.fetch_add(1) + 1));
  }
};

namespace {

class ExchangeImpl;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpListener::Impl& listener)
      : socket_(std::move(socket)),
        listener_(listener),
        read_timer_(socket_.get_executor()),
        write_timer_(socket_.get_executor()),
        ping_timer_(socket_.get_executor()),
        buffer_(kReadBuffer) {
    beast::error_code ec;
    const auto ep = socket_.remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", ep.address().to_string(), ep.port());
    socket_.set_option(tcp::no_delay(true), ec);
  }

  void Start() {
    net::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(true); });
  }

  // Exchange operations, posted onto this connection's strand.
  void Post(std::function<void(Connection&)> fn) {
    net::post(socket_.get_executor(), [self = shared_from_this(), fn = std::move(fn)] { fn(*self); });
  }
  void DoRespond(ExchangeImpl* ex, HttpResponse response);
  void DoBeginStream(ExchangeImpl* ex, int status, std::string content_type, HttpHeaders headers);
  void DoWrite(ExchangeImpl* ex, std::string data);
  void DoEndStream(ExchangeImpl* ex);
  void CloseIfIdle() {
    if (state_ == State::kReading && idle_) Close();
  }
  void Close();

  bool gone() const { return gone_.load(); }
  size_t backlog() const { return backlog_.load(); }
  const HttpListenerOptions& options() const { return listener_.options; }
  HttpListener::Impl& listener() { return listener_; }

 private:
  enum class State { kReading, kHandling, kClosed };

  void WaitForRequest(bool first);
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void Dispatch();
  void Watch();
  void OnResponseDone();
  void SendErrorAndClose(int status, std::string_view code, std::string message);
  void LingeringClose();
  void Linger();
  void Enqueue(std::string data);
  void Flush();
  void ArmPing();
  void ClientGone();
  std::string Head(int status, std::string_view content_type, const HttpHeaders& headers,
                   std::optional<size_t> content_length);

  tcp::socket socket_;
  HttpListener::Impl& listener_;
  net::steady_timer read_timer_, write_timer_, ping_timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  State state_ = State::kReading;
  bool idle_ = false;       // waiting for the first byte of a request
  bool timed_out_ = false;  // the read timer fired during a request
  bool watching_ = false;   // a read is pending while a response is produced
  bool keep_alive_ = true;
  bool writing_ = false;
  bool complete_ = false;   // the current response has been handed over whole
  bool streaming_ = false;
  bool closed_ = false;
  SteadyClock::time_point last_write_{};
  std::deque<std::string> out_;
  std::vector<std::string> inflight_;
  std::shared_ptr<ExchangeImpl> exchange_;
  std::atomic<bool> gone_{false};
  std::atomic<size_t> backlog_{0};
  size_t lingered_ = 0;
  std::unique_ptr<char[]> discard_;  // only while lingering: idle connections stay small
  int64_t registered_ = 0;

  friend struct HttpListener::Impl;
  friend class ExchangeImpl;
};

class ExchangeImpl final : public Exchange, public std::enable_shared_from_this<ExchangeImpl> {
 public:
  ExchangeImpl(std::shared_ptr<Connection> connection, HttpRequest request, std::string request_id)
      : connection_(std::move(connection)), request_(std::move(request)), started_(SteadyClock::now()) {
    record_.method = request_.method;
    record_.path = request_.path;
    record_.remote = request_.remote;
    record_.request_id = std::move(request_id);
    record_.bytes_in = static_cast<int64_t>(request_.body.size());
  }
  ~ExchangeImpl() override { Complete(); }

  const HttpRequest& request() const override { return request_; }
  void Respond(HttpResponse response) override {
    if (answered_.exchange(true)) return;
    connection_->Post([self = shared_from_this(), r = std::move(response)](Connection& c) mutable {
      c.DoRespond(self.get(), std::move(r));
    });
  }
  void BeginStream(int status, std::string content_type, HttpHeaders headers) override {
    if (answered_.exchange(true)) return;
    streaming_ = true;
    connection_->Post([self = shared_from_this(), status, ct = std::move(content_type),
                       h = std::move(headers)](Connection& c) mutable {
      c.DoBeginStream(self.get(), status, std::move(ct), std::move(h));
    });
  }
  bool Write(std::string data) override {
    if (!streaming_ || ended_ || gone_.cancelled()) return false;
    if (connection_->gone() || connection_->backlog() > connection_->options().max_stream_backlog) {
      gone_.Cancel();
      return false;
    }
    connection_->Post([self = shared_from_this(), d = std::move(data)](Connection& c) mutable {
      c.DoWrite(self.get(), std::move(d));
    });
    return true;
  }
  void EndStream() override {
    if (!streaming_ || ended_.exchange(true)) return;
    connection_->Post([self = shared_from_this()](Connection& c) { c.DoEndStream(self.get()); });
  }
  CancellationToken client_gone() const override { return gone_.token(); }
  void LogField(std::string key, Json value) override {
    std::lock_guard lock(mu_);
    record_.fields[std::move(key)] = std::move(value);
  }

  // On the connection's strand.
  void MarkGone() {
    record_.client_gone = true;
    gone_.Cancel();
  }
  void AddBytesOut(size_t n) { record_.bytes_out += static_cast<int64_t>(n); }
  void SetStatus(int status, bool streamed) {
    record_.status = status;
    record_.streamed = streamed;
  }
  // Reports the finished exchange once (response written, or the client gone and the
  // handler done with it).
  void Complete() {
    if (completed_.exchange(true)) return;
    ExchangeRecord r;
    {
      std::lock_guard lock(mu_);
      r = record_;
    }
    r.duration_s = std::chrono::duration<double>(SteadyClock::now() - started_).count();
    if (r.status == 0) r.status = 499;  // no answer at all: the client went away first
    auto& listener = connection_->listener();
    if (listener.on_done) listener.on_done(r);
  }
  const std::string& request_id() const { return record_.request_id; }

 private:
  std::shared_ptr<Connection> connection_;
  HttpRequest request_;
  SteadyClock::time_point started_;
  CancellationSource gone_;
  std::mutex mu_;
  ExchangeRecord record_;
  std::atomic<bool> answered_{false};
  std::atomic<bool> streaming_{false};
  std::atomic<bool> ended_{false};
  std::atomic<bool> completed_{false};
};

void Connection::WaitForRequest(bool first) {
  if (closed_) return;
  state_ = State::kReading;
  if (buffer_.size() > 0) return ReadHeader();
  if (listener_.draining.load()) return LingeringClose();
  idle_ = true;
  read_timer_.expires_after(first ? options().request_timeout : options().idle_timeout);
  read_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->idle_) self->Close();
  });
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
    if (self->closed_) return;
    if (ec) return self->Close();
    self->ReadHeader();
  });
}

void Connection::ReadHeader() {
  idle_ = false;
  timed_out_ = false;
  parser_.emplace();
  parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
  parser_->body_limit(options().max_body_bytes);
  read_timer_.expires_after(options().request_timeout);
  read_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->state_ != State::kReading || self->idle_) return;
    self->timed_out_ = true;
    beast::error_code ignored;
    self->socket_.cancel(ignored);
  });
  http::async_read_header(socket_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Connection::OnHeader(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    if (timed_out_) {
      return SendErrorAndClose(408, "request_timeout",
                               "the request did not arrive in time; send it whole and promptly");
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == http::error::body_limit) {  // a Content-Length over the cap, seen in the head
      return SendErrorAndClose(413, "request_too_large",
                               fmt::format("the request body is over the limit of {} bytes", options().max_body_bytes));
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return SendErrorAndClose(431, "headers_too_large",
                               fmt::format("the request head is over the limit of {} bytes",
                                           options().max_header_bytes));
    }
    return SendErrorAndClose(400, "malformed_http",
                             fmt::format("the bytes received are not an HTTP/1.1 request ({})", ec.message()));
  }
  if (const auto length = parser_->content_length(); length && *length > options().max_body_bytes) {
    return SendErrorAndClose(413, "request_too_large",
                             fmt::format("the request body of {} bytes is over the limit of {} bytes",
                                         *length, options().max_body_bytes));
  }
  const auto& head = parser_->get();
  if (beast::iequals(head[http::field::expect], "100-continue")) {
    auto line = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
    net::async_write(socket_, net::buffer(*line),
                     [self = shared_from_this(), line](beast::error_code wec, size_t) {
                       if (wec) return self->Close();
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

void Connection::ReadBody() {
  if (parser_->is_done()) return OnBody({});
  http::async_read(socket_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Connection::OnBody(beast::error_code ec) {
  if (closed_) return;
  if (ec) {
    if (timed_out_) {
      return SendErrorAndClose(408, "request_timeout", "the request body did not arrive in time");
    }
    if (ec == http::error::body_limit) {
      return SendErrorAndClose(413, "request_too_large",
                               fmt::format("the request body is over the limit of {} bytes",
                                           options().max_body_bytes));
    }
    if (ec == http::error::end_of_stream || ec == net::error::eof ||
        ec == net::error::connection_reset || ec == http::error::partial_message) {
      return Close();
    }
    return SendErrorAndClose(400, "malformed_http",
                             fmt::format("the request body is malformed ({})", ec.message()));
  }
  read_timer_.cancel();
  Dispatch();
}

void Connection::Dispatch() {
  auto message = parser_->release();
  parser_.reset();
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  const size_t q = request.target.find('?');
  request.path = request.target.substr(0, q);
  if (q != std::string::npos) request.query = request.target.substr(q + 1);
  for (const auto& field : message) {
    std::string name(field.name_string());
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote = remote_;
  keep_alive_ = message.keep_alive();

  std::string id;
  if (auto given = request.Header("x-request-id"); given && PlainRequestId(*given)) id = *given;
  if (id.empty()) id = listener_.NewRequestId();

  state_ = State::kHandling;
  complete_ = false;
  streaming_ = false;
  exchange_ = std::make_shared<ExchangeImpl>(shared_from_this(), std::move(request), std::move(id));
  Watch();
  auto ex = exchange_;
  listener_.handler(ex);
}

// While a response is produced, a read stays pending so a client that hangs up is noticed at
// once (its turn is cancelled); what it sends ahead is kept for the next request, which is
// parsed once this one is answered.
void Connection::Watch() {
  if (watching_ || closed_ || buffer_.size() + kWatchChunk > kReadBuffer) return;
  watching_ = true;
  socket_.async_read_some(buffer_.prepare(kWatchChunk),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->watching_ = false;
                            if (self->closed_) return;
                            if (ec) {
                              if (ec == net::error::operation_aborted) return;
                              // A client that hangs up once it has the whole answer is done,
                              // not gone: the last write may still be completing.
                              if (self->complete_ && self->state_ == State::kHandling) {
                                self->keep_alive_ = false;
                                return;
                              }
                              return self->ClientGone();
                            }
                            self->buffer_.commit(n);
                            if (self->state_ == State::kClosed) {  // lingering: drop what comes
                              self->buffer_.consume(self->buffer_.size());
                              return self->Linger();
                            }
                            // The client already sent its next request: keep it for when this
                            // one is answered, and stop watching (a hang-up still shows up as a
                            // failed write).
                            if (self->state_ == State::kHandling) return;
                            if (self->state_ == State::kReading && self->idle_) {
                              self->read_timer_.cancel();
                              self->ReadHeader();
                            }
                          });
}

void Connection::ClientGone() {
  gone_ = true;
  if (exchange_) exchange_->MarkGone();
  Close();
}

std::string Connection::Head(int status, std::string_view content_type, const HttpHeaders& headers,
                             std::optional<size_t> content_length) {
  const bool keep = keep_alive_ && !listener_.draining.load();
  keep_alive_ = keep;
  std::string head = fmt::format("HTTP/1.1 {} {}\r\n", status, ReasonPhrase(status));
  if (!content_type.empty()) head += fmt::format("Content-Type: {}\r\n", content_type);
  if (content_length) {
    head += fmt::format("Content-Length: {}\r\n", *content_length);
  } else {
    head += "Transfer-Encoding: chunked\r\n";
  }
  for (const auto& [name, value] : headers) head += fmt::format("{}: {}\r\n", name, value);
  if (exchange_) head += fmt::format("X-Request-Id: {}\r\n", exchange_->request_id());
  head += keep ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return head;
}

void Connection::DoRespond(ExchangeImpl* ex, HttpResponse response) {
  ex->SetStatus(response.status, false);
  if (ex != exchange_.get() || closed_) return ex->Complete();
  std::string bytes = Head(response.status, response.content_type, response.headers, response.body.size());
  bytes += response.body;
  complete_ = true;
  Enqueue(std::move(bytes));
}

void Connection::DoBeginStream(ExchangeImpl* ex, int status, std::string content_type, HttpHeaders headers) {
  ex->SetStatus(status, true);
  if (ex != exchange_.get() || closed_) return;
  headers.emplace_back("Cache-Control", "no-cache");
  headers.emplace_back("X-Accel-Buffering", "no");
  streaming_ = true;
  listener_.open_streams.fetch_add(1);
  Enqueue(Head(status, content_type, headers, std::nullopt));
  ArmPing();
}

void Connection::DoWrite(ExchangeImpl* ex, std::string data) {
  if (ex != exchange_.get() || closed_ || !streaming_ || complete_ || data.empty()) return;
  Enqueue(ChunkFrame(data));
}

void Connection::DoEndStream(ExchangeImpl* ex) {
  if (ex != exchange_.get()) return ex->Complete();
  if (streaming_) {
    streaming_ = false;
    listener_.open_streams.fetch_sub(1);
    ping_timer_.cancel();
  }
  if (closed_) return ex->Complete();
  complete_ = true;
  Enqueue("0\r\n\r\n");
}

// A quiet stream gets an SSE comment every sse_keepalive, so proxies and browsers keep it.
void Connection::ArmPing() {
  ping_timer_.expires_after(options().sse_keepalive);
  ping_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->closed_ || !self->streaming_ || self->complete_) return;
    if (SteadyClock::now() - self->last_write_ >= self->options().sse_keepalive) {
      self->Enqueue(ChunkFrame(": keep-alive\n\n"));
    }
    self->ArmPing();
  });
}

void Connection::Enqueue(std::string data) {
  if (closed_) return;
  backlog_ += data.size();
  out_.push_back(std::move(data));
  if (!writing_) Flush();
}

void Connection::Flush() {
  if (out_.empty()) {
    if (complete_) OnResponseDone();
    return;
  }
  writing_ = true;
  inflight_.clear();
  std::vector<net::const_buffer> buffers;
  while (!out_.empty() && inflight_.size() < kMaxGather) {
    inflight_.push_back(std::move(out_.front()));
    out_.pop_front();
  }
  buffers.reserve(inflight_.size());
  for (const auto& piece : inflight_) buffers.emplace_back(net::buffer(piece));
  write_timer_.expires_after(options().write_timeout);
  write_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->writing_) self->ClientGone();  // the client stopped reading
  });
  net::async_write(socket_, buffers, [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->writing_ = false;
    self->write_timer_.cancel();
    self->backlog_ -= std::min(self->backlog_.load(), n);
    self->last_write_ = SteadyClock::now();
    if (self->exchange_) self->exchange_->AddBytesOut(n);
    if (self->closed_) return;
    if (ec) return self->ClientGone();
    self->Flush();
  });
}

void Connection::OnResponseDone() {
  complete_ = false;
  if (exchange_) {
    exchange_->Complete();
    exchange_.reset();
  }
  if (!keep_alive_ || listener_.draining.load()) return LingeringClose();
  state_ = State::kReading;
  if (watching_) {
    // The pending read goes on; it starts the next request when bytes come.
    idle_ = true;
    read_timer_.expires_after(options().idle_timeout);
    read_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->idle_ && self->state_ == State::kReading) self->Close();
    });
    return;
  }
  WaitForRequest(false);
}

void Connection::SendErrorAndClose(int status, std::string_view code, std::string message) {
  read_timer_.cancel();
  keep_alive_ = false;
  state_ = State::kHandling;
  HttpRequest request;
  if (parser_ && parser_->is_header_done()) {
    request.method = std::string(parser_->get().method_string());
    request.path = std::string(parser_->get().target());
  }
  if (request.path.size() > 200) request.path.resize(200);
  request.remote = remote_;
  parser_.reset();
  exchange_ = std::make_shared<ExchangeImpl>(shared_from_this(), std::move(request), listener_.NewRequestId());
  exchange_->LogField("error", std::string(code));
  HttpResponse r = ErrorResponse(status, "invalid_request_error", code, std::move(message));
  exchange_->SetStatus(status, false);
  std::string bytes = Head(r.status, r.content_type, r.headers, r.body.size()) + r.body;
  complete_ = true;
  Enqueue(std::move(bytes));
}

void Connection::LingeringClose() {
  if (closed_) return;
  state_ = State::kClosed;
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  read_timer_.expires_after(kLinger);
  read_timer_.async_wait([self = shared_from_this()](beast::error_code tec) {
    if (!tec) self->Close();
  });
  buffer_.consume(buffer_.size());
  if (!watching_) Linger();
}

void Connection::Linger() {
  if (!discard_) discard_ = std::make_unique<char[]>(kDiscardChunk);
  socket_.async_read_some(net::buffer(discard_.get(), kDiscardChunk), [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->lingered_ += n;
    if (ec || self->lingered_ > kMaxLingerBytes) return self->Close();
    self->Linger();
  });
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  state_ = State::kClosed;
  gone_ = true;
  beast::error_code ec;
  read_timer_.cancel();
  write_timer_.cancel();
  ping_timer_.cancel();
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  if (streaming_) {
    streaming_ = false;
    listener_.open_streams.fetch_sub(1);
  }
  out_.clear();
  backlog_ = 0;
  if (exchange_) {
    exchange_->MarkGone();
    // The handler still owns the exchange; it reports when it answers (or is dropped).
    if (complete_) exchange_->Complete();
    exchange_.reset();
  }
  listener_.open_connections.fetch_sub(1);
  listener_.Forget(this);
}

}  // namespace

std::optional<std::string_view> HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return std::string_view(value);
  }
  return std::nullopt;
}

void HttpListener::Impl::Accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors or similar: back off briefly instead of spinning.
      Logger()->warn("serve: accept failed: {}", ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](beast::error_code tec) {
        if (!tec) Accept();
      });
      return;
    }
    if (open_connections.load() >= options.max_connections || draining.load()) {
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      open_connections.fetch_add(1);
      auto connection = std::make_shared<Connection>(std::move(socket), *this);
      {
        std::lock_guard lock(mu);
        connections[connection.get()] = connection;
      }
      connection->Start();
    }
    Accept();
  });
}

HttpListener::HttpListener(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpListener::~HttpListener() { Shutdown(); }

Result<std::unique_ptr<HttpListener>> HttpListener::Start(HttpListenerOptions options, HttpHandler handler,
                                                          std::function<void(const ExchangeRecord&)> on_done) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->handler = std::move(handler);
  impl->on_done = std::move(on_done);
  impl->id_salt = static_cast<uint64_t>(SteadyClock::now().time_since_epoch().count());
  beast::error_code ec;
  const auto address = net::ip::make_address(options.host, ec);
  if (ec) return Status::InvalidArgument(fmt::format("--host {}: not an IP address", options.host));
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(options.port));
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Unavailable(fmt::format("cannot listen on {}:{}: {}", options.host, options.port, ec.message()));
  }
  impl->bound_port = impl->acceptor.local_endpoint().port();
  impl->work.emplace(net::make_work_guard(impl->ioc));
  impl->Accept();
  for (int i = 0; i < std::max(1, options.io_threads); ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->ioc.run(); });
  }
  return std::unique_ptr<HttpListener>(new HttpListener(std::move(impl)));
}

int HttpListener::port() const { return impl_->bound_port; }

void HttpListener::StopAccepting() {
  if (impl_->draining.exchange(true)) return;
  net::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->accept_retry.cancel();
  });
  for (auto& c : impl_->Live()) c->Post([](Connection& self) { self.CloseIfIdle(); });
}

void HttpListener::Shutdown() {
  if (impl_->shut_down.exchange(true)) return;
  StopAccepting();
  for (auto& c : impl_->Live()) c->Post([](Connection& self) { self.Close(); });
  impl_->work.reset();
  // Connections close on their strands; then nothing is left for the loop to do.
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

int64_t HttpListener::open_connections() const { return impl_->open_connections.load(); }
int64_t HttpListener::open_streams() const { return impl_->open_streams.load(); }

}  // namespace reagent::server
