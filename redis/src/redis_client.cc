// The pool of hiredis connections behind RedisClient. hiredis is used in its blocking mode:
// one thread owns a connection for one command (or pipeline) at a time.
#include "reagent/redis/redis_client.h"

#include <hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fmt/format.h>

#include "reagent/core/random.h"

namespace reagent {
namespace {

using SteadyClock = std::chrono::steady_clock;

TimePoint SteadyNow() { return std::chrono::time_point_cast<Duration>(SteadyClock::now()); }

timeval ToTimeval(Duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  return timeval{.tv_sec = static_cast<time_t>(us / 1000000), .tv_usec = static_cast<suseconds_t>(us % 1000000)};
}

std::string Secs(Duration d) { return fmt::format("{:.2f} s", ToSeconds(d)); }

// hiredis reports a socket timeout (SO_RCVTIMEO) as an I/O error "Resource temporarily
// unavailable".
bool TimedOut(const redisContext* c) {
  return c->err == REDIS_ERR_IO && std::string_view(c->errstr).find("temporarily unavailable") != std::string_view::npos;
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::kString; break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::kStatus; break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::kError; break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      return out;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      return out;
    default:
      return out;  // nil
  }
  out.str.assign(r->str, r->len);
  return out;
}

// The Status for an error reply. Only conditions that pass with time are kUnavailable.
Status ErrorReplyStatus(const RedisEndpoint& e, std::string_view error) {
  const std::string message = "redis " + e.Display() + ": " + std::string(error);
  if (error.starts_with("LOADING") || error.starts_with("BUSY") || error.starts_with("READONLY") ||
      error.starts_with("MASTERDOWN") || error.starts_with("TRYAGAIN") || error.starts_with("CLUSTERDOWN")) {
    return Status::Unavailable(message);
  }
  if (error.starts_with("NOAUTH") || error.starts_with("WRONGPASS") || error.starts_with("NOPERM")) {
    return Status::PermissionDenied(message);
  }
  if (error.starts_with("OOM")) return Status::ResourceExhausted(message);
  return Status::Internal(message);
}

}  // namespace

// --- RedisReply -----------------------------------------------------------------------------

int64_t RedisReply::AsInt(int64_t fallback) const {
  if (type == Type::kInteger) return integer;
  if (type != Type::kString && type != Type::kStatus) return fallback;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(str.data(), str.data() + str.size(), v);
  return ec == std::errc() && end == str.data() + str.size() ? v : fallback;
}

double RedisReply::AsDouble(double fallback) const {
  if (type == Type::kInteger) return static_cast<double>(integer);
  if ((type != Type::kString && type != Type::kStatus) || str.empty()) return fallback;
  char* end = nullptr;
  const double v = std::strtod(str.c_str(), &end);
  return end == str.c_str() + str.size() ? v : fallback;
}

// --- Options --------------------------------------------------------------------------------

Status RedisClientOptions::Validate() const {
  REAGENT_RETURN_IF_ERROR(RedisEndpoint::Parse(url).status());
  if (connect_timeout <= Duration::zero()) return Status::InvalidArgument("redis connect_timeout must be positive");
  if (command_timeout <= Duration::zero()) return Status::InvalidArgument("redis command_timeout must be positive");
  if (max_connections < 1) return Status::InvalidArgument("redis max_connections must be >= 1");
  if (reconnect_backoff < Duration::zero() || max_reconnect_backoff < reconnect_backoff) {
    return Status::InvalidArgument("redis reconnect backoff needs 0 <= reconnect_backoff <= max_reconnect_backoff");
  }
  return Status::Ok();
}

// --- Connection -----------------------------------------------------------------------------

class RedisClient::Connection {
 public:
  explicit Connection(redisContext* c) : c_(c) {}
  ~Connection() { redisFree(c_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  redisContext* get() const { return c_; }

  // An idle connection has nothing to read; readable means the server closed it (EOF after
  // a restart or an idle timeout) or sent something unexpected. Either way it is unusable,
  // and finding out costs no round trip.
  bool Stale() const {
    pollfd p{.fd = c_->fd, .events = POLLIN, .revents = 0};
    return ::poll(&p, 1, 0) != 0;
  }

 private:
  redisContext* c_;
};

// A borrowed connection: returned to the pool on destruction, or dropped when marked broken.
class RedisClient::Borrowed {
 public:
  Borrowed(RedisClient* client, std::unique_ptr<Connection> conn) : client_(client), conn_(std::move(conn)) {}
  Borrowed(Borrowed&& other) noexcept
      : client_(std::exchange(other.client_, nullptr)), conn_(std::move(other.conn_)), broken_(other.broken_) {}
  Borrowed& operator=(Borrowed&&) = delete;
  ~Borrowed() {
    if (client_) client_->Return(std::move(conn_), !broken_);
  }
  Connection& operator*() const { return *conn_; }
  bool* broken() { return &broken_; }

 private:
  RedisClient* client_;
  std::unique_ptr<Connection> conn_;
  bool broken_ = false;
};

namespace {

// Runs one command on a connection; a transport failure marks it broken.
Result<RedisReply> Exec(redisContext* c, const RedisEndpoint& e, const RedisClient::Args& args,
                        Duration timeout, bool* broken) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (r == nullptr) {
    *broken = true;
    return Status::Unavailable("redis " + e.Display() + ": " +
                               (TimedOut(c) ? "no reply within " + Secs(timeout) + " (command_timeout)"
                                          : std::string("connection lost: ") + c->errstr));
  }
  RedisReply out = Convert(r);
  freeReplyObject(r);
  return out;
}

}  // namespace

// --- RedisClient ----------------------------------------------------------------------------

RedisClient::RedisClient(RedisClientOptions options, RedisEndpoint endpoint)
    : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

RedisClient::~RedisClient() = default;

Result<std::shared_ptr<RedisClient>> RedisClient::Open(const RedisClientOptions& options) {
  REAGENT_RETURN_IF_ERROR(options.Validate());
  REAGENT_ASSIGN_OR_RETURN(RedisEndpoint endpoint, RedisEndpoint::Parse(options.url));
  std::shared_ptr<RedisClient> client(new RedisClient(options, std::move(endpoint)));
  if (options.connect_at_open) {
    REAGENT_ASSIGN_OR_RETURN(RedisReply pong, client->Command({"PING"}));
    (void)pong;
  }
  return client;
}

int RedisClient::open_connections() const {
  std::lock_guard lock(mu_);
  return open_;
}

Status RedisClient::Unreachable(const std::string& why) const {
  return Status::Unavailable("redis " + endpoint_.Display() + " is unreachable: " + why);
}

Result<std::unique_ptr<RedisClient::Connection>> RedisClient::Connect() {
  const timeval tv = ToTimeval(options_.connect_timeout);
  redisContext* c = endpoint_.socket_path.empty()
                        ? redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv)
                        : redisConnectUnixWithTimeout(endpoint_.socket_path.c_str(), tv);
  if (c == nullptr) return Unreachable("out of memory creating a connection");
  auto conn = std::make_unique<Connection>(c);
  if (c->err) {
    const bool timed_out = std::string_view(c->errstr).find("timed out") != std::string_view::npos;
    return Unreachable(timed_out ? "no connection within " + Secs(options_.connect_timeout) + " (connect_timeout)"
                                 : std::string(c->errstr));
  }
  ++connects_;
  const timeval command_tv = ToTimeval(options_.command_timeout);
  if (redisSetTimeout(c, command_tv) != REDIS_OK) return Unreachable("cannot set the command timeout");
  if (endpoint_.socket_path.empty()) redisEnableKeepAlive(c);
  bool broken = false;
  auto setup = [&](const Args& args, const std::string& what) -> Status {
    REAGENT_ASSIGN_OR_RETURN(RedisReply r, Exec(c, endpoint_, args, options_.command_timeout, &broken));
    if (r.type != RedisReply::Type::kError) return Status::Ok();
    Status s = ErrorReplyStatus(endpoint_, what + " failed: " + r.str);
    // A bad db number is a configuration mistake, not an outage.
    return s.code() == StatusCode::kInternal ? Status::InvalidArgument(s.message()) : s;
  };
  if (!endpoint_.password.empty()) {
    Args auth = {"AUTH"};
    if (!endpoint_.user.empty()) auth.push_back(endpoint_.user);
    auth.push_back(endpoint_.password);
    Status s = setup(auth, "AUTH");
    if (!s.ok()) {
      // "ERR invalid password" (Redis < 6) is a refusal too.
      return s.code() == StatusCode::kInvalidArgument ? Status::PermissionDenied(s.message()) : s;
    }
  }
  if (endpoint_.db != 0) {
    const std::string db = std::to_string(endpoint_.db);
    const Args select = {"SELECT", db};
    REAGENT_RETURN_IF_ERROR(setup(select, "SELECT " + db));
  }
  return conn;
}

Result<RedisClient::Borrowed> RedisClient::Borrow() {
  std::unique_lock lock(mu_);
  const TimePoint give_up = SteadyNow() + options_.command_timeout;
  while (true) {
    if (!idle_.empty()) {
      std::unique_ptr<Connection> conn = std::move(idle_.back());
      idle_.pop_back();
      if (!conn->Stale()) return Borrowed(this, std::move(conn));
      --open_;  // closed by the server while idle: replace it
      lock.unlock();
      conn.reset();
      lock.lock();
      continue;
    }
    if (open_ < options_.max_connections) {
      const TimePoint now = SteadyNow();
      if (now < retry_at_) {
        // Fail fast with the last connect's reason while the backoff runs.
        return Status(last_failure_.code(),
                      last_failure_.message() + " (next attempt in " + Secs(retry_at_ - now) + ")");
      }
      ++open_;
      lock.unlock();
      Result<std::unique_ptr<Connection>> conn = Connect();
      lock.lock();
      if (conn.ok()) {
        backoff_ = Duration::zero();
        retry_at_ = TimePoint{};
        return Borrowed(this, std::move(*conn));
      }
      --open_;
      freed_.notify_all();
      backoff_ = backoff_ == Duration::zero() ? options_.reconnect_backoff
                                              : std::min(options_.max_reconnect_backoff, backoff_ * 2);
      const double jitter = DefaultRandom().Uniform(0.8, 1.2);
      retry_at_ = SteadyNow() + std::chrono::duration_cast<Duration>(backoff_ * jitter);
      last_failure_ = conn.status();
      return last_failure_;
    }
    if (freed_.wait_until(lock, std::chrono::time_point_cast<SteadyClock::duration>(give_up)) ==
            std::cv_status::timeout &&
        idle_.empty() && open_ >= options_.max_connections) {
      return Status::Unavailable("redis " + endpoint_.Display() + ": all " + std::to_string(options_.max_connections) +
                                 " connections stayed busy for " + Secs(options_.command_timeout));
    }
  }
}

void RedisClient::Return(std::unique_ptr<Connection> conn, bool healthy) {
  {
    std::lock_guard lock(mu_);
    if (healthy) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  freed_.notify_one();
  conn.reset();  // outside the lock: closing a socket may block briefly
}

Result<RedisReply> RedisClient::Command(const Args& args) {
  REAGENT_ASSIGN_OR_RETURN(Borrowed conn, Borrow());
  REAGENT_ASSIGN_OR_RETURN(RedisReply r, Exec((*conn).get(), endpoint_, args, options_.command_timeout, conn.broken()));
  if (r.type == RedisReply::Type::kError) return ErrorReplyStatus(endpoint_, r.str);
  return r;
}

Result<std::vector<RedisReply>> RedisClient::Pipeline(const std::vector<Args>& commands) {
  REAGENT_ASSIGN_OR_RETURN(Borrowed conn, Borrow());
  redisContext* c = (*conn).get();
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const Args& args : commands) {
    argv.clear();
    lens.clear();
    for (std::string_view a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
      *conn.broken() = true;
      return Status::Unavailable("redis " + endpoint_.Display() + ": " + c->errstr);
    }
  }
  std::vector<RedisReply> out;
  out.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
      *conn.broken() = true;
      return Status::Unavailable("redis " + endpoint_.Display() + ": " +
                                 (TimedOut(c) ? "no reply within " + Secs(options_.command_timeout) + " (command_timeout)"
                                            : std::string("connection lost: ") + c->errstr));
    }
    out.push_back(Convert(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return out;
}

Result<RedisReply> RedisClient::EvalOnce(Connection& conn, const RedisScript& script, const Args& keys,
                                         const Args& args, bool* broken) {
  std::string sha;
  {
    std::lock_guard lock(script.mu_);
    sha = script.sha_;
  }
  if (sha.empty()) {
    REAGENT_ASSIGN_OR_RETURN(RedisReply loaded, Exec(conn.get(), endpoint_, {"SCRIPT", "LOAD", script.source()},
                                                    options_.command_timeout, broken));
    if (loaded.type == RedisReply::Type::kError) return ErrorReplyStatus(endpoint_, "SCRIPT LOAD: " + loaded.str);
    sha = loaded.str;
    std::lock_guard lock(script.mu_);
    script.sha_ = sha;
  }
  const std::string numkeys = std::to_string(keys.size());
  Args argv{"EVALSHA", sha, numkeys};
  argv.reserve(3 + keys.size() + args.size());
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  return Exec(conn.get(), endpoint_, argv, options_.command_timeout, broken);
}

Result<RedisReply> RedisClient::Eval(const RedisScript& script, const Args& keys, const Args& args) {
  REAGENT_ASSIGN_OR_RETURN(Borrowed conn, Borrow());
  REAGENT_ASSIGN_OR_RETURN(RedisReply r, EvalOnce(*conn, script, keys, args, conn.broken()));
  if (r.type == RedisReply::Type::kError && r.str.starts_with("NOSCRIPT")) {
    // The server lost its script cache (restart, SCRIPT FLUSH): the script did not run.
    {
      std::lock_guard lock(script.mu_);
      script.sha_.clear();
    }
    REAGENT_ASSIGN_OR_RETURN(r, EvalOnce(*conn, script, keys, args, conn.broken()));
  }
  if (r.type == RedisReply::Type::kError) return ErrorReplyStatus(endpoint_, r.str);
  return r;
}

}  // namespace reagent
