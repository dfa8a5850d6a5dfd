#include "redis_server.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "reagent/redis/redis_client.h"

extern char** environ;

namespace reagent {
namespace {

namespace fs = std::filesystem;

// A port the kernel just handed out for 127.0.0.1. Another process may take it before
// redis-server binds it; Start() then retries with a new one.
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string FindRedisServer() {
  for (const char* candidate : {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return "";
}

std::string Tail(const std::string& path, size_t max_bytes = 2000) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > max_bytes ? text.substr(text.size() - max_bytes) : text;
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options, std::string dir)
    : options_(std::move(options)), dir_(std::move(dir)), socket_(dir_ + "/redis.sock") {}

Result<std::unique_ptr<RedisServer>> RedisServer::Start(const RedisServerOptions& options) {
  if (FindRedisServer().empty()) {
    return Status::Unavailable("redis-server is not installed (scripts/install-deps installs it)");
  }
  std::string tmpl = (fs::temp_directory_path() / "reagent-redis-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return Status::IOError("cannot create a temporary directory");
  std::unique_ptr<RedisServer> server(new RedisServer(options, tmpl));
  Status last;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (options.tcp) server->port_ = FreePort();
    last = server->Launch();
    if (last.ok()) last = server->WaitReady();
    if (last.ok()) return server;
    server->Stop();
  }
  return last;
}

RedisServer::~RedisServer() {
  Stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string RedisServer::url() const {
  return "unix://" + socket_ + (options_.password.empty() ? "" : "?password=" + options_.password);
}

std::string RedisServer::tcp_url() const {
  if (port_ == 0) return "";
  return "redis://" + (options_.password.empty() ? "" : ":" + options_.password + "@") + "127.0.0.1:" +
         std::to_string(port_) + "/0";
}

Status RedisServer::Launch() {
  const std::string bin = FindRedisServer();
  std::vector<std::string> args = {bin,
                                   "--port", std::to_string(port_),
                                   "--bind", "127.0.0.1",
                                   "--unixsocket", socket_,
                                   "--unixsocketperm", "700",
                                   "--dir", dir_,
                                   "--logfile", dir_ + "/redis.log",
                                   "--daemonize", "no",
                                   "--save", "",
                                   "--appendonly", options_.append_only ? "yes" : "no",
                                   "--appendfsync", options_.fsync};
  if (!options_.password.empty()) {
    args.push_back("--requirepass");
    args.push_back(options_.password);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&pid_, bin.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    return Status::Unavailable(std::string("cannot start redis-server: ") + std::strerror(rc));
  }
  return Status::Ok();
}

Status RedisServer::WaitReady() {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  RedisClientOptions o{.url = url(), .connect_timeout = Seconds(1), .command_timeout = Seconds(1),
                       .max_connections = 1, .reconnect_backoff = Duration::zero(),
                       .max_reconnect_backoff = Duration::zero()};
  Status last = Status::Unavailable("not started");
  while (std::chrono::steady_clock::now() < give_up) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return Status::Unavailable("redis-server exited at start-up: " + Tail(dir_ + "/redis.log"));
    }
    auto client = RedisClient::Open(o);
    if (client.ok()) {
      if (port_ == 0) return Status::Ok();
      o.url = tcp_url();
      if (RedisClient::Open(o).ok()) return Status::Ok();
      o.url = url();
    } else {
      last = client.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable("redis-server did not become ready: " + last.message() + "\n" + Tail(dir_ + "/redis.log"));
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int wstatus = 0;
  ::waitpid(pid_, &wstatus, 0);
  pid_ = -1;
}

void RedisServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 250; ++i) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Kill();
}

Status RedisServer::Restart() {
  Stop();
  REAGENT_RETURN_IF_ERROR(Launch());
  return WaitReady();
}

}  // namespace reagent
