#include "support/mcp_servers.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern char** environ;

namespace reagent::testing {
namespace {

std::string ModulesDir() { return std::string(REAGENT_SOURCE_DIR) + "/tests/mcp/node_modules"; }

bool HaveNode() { return std::system("command -v node >/dev/null 2>&1") == 0; }

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

}  // namespace

std::string EverythingServerJs() { return ModulesDir() + "/@modelcontextprotocol/server-everything/dist/index.js"; }
std::string FilesystemServerJs() { return ModulesDir() + "/@modelcontextprotocol/server-filesystem/dist/index.js"; }
std::string ConformanceJs() { return ModulesDir() + "/@modelcontextprotocol/conformance/dist/index.js"; }

std::string McpServersMissing() {
  if (!HaveNode()) return "node is not installed: the tests against real MCP servers need it";
  for (const auto& p : {EverythingServerJs(), FilesystemServerJs(), ConformanceJs()})
    if (!std::filesystem::exists(p)) return p + " is missing: run scripts/install-deps (npm ci in tests/mcp)";
  return "";
}

EverythingHttpServer::EverythingHttpServer() {
  // The server takes its port from $PORT; a port picked free may be taken in between, so a
  // few tries.
  for (int attempt = 0; attempt < 3 && !ok(); ++attempt) {
    const int port = FreePort();
    char log_path[] = "/tmp/reagent-mcp-http-XXXXXX";
    const int log_fd = ::mkstemp(log_path);
    if (log_fd < 0) return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
    std::vector<std::string> env_store;
    for (char** e = environ; *e; ++e) env_store.emplace_back(*e);
    env_store.push_back("PORT=" + std::to_string(port));
    std::vector<char*> envp;
    for (auto& e : env_store) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string js = EverythingServerJs();
    std::vector<std::string> argv_store = {"node", js, "streamableHttp"};
    std::vector<char*> argv;
    for (auto& a : argv_store) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = ::posix_spawnp(&pid, "node", &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(log_fd);
    if (rc != 0) {
      ::unlink(log_path);
      return;
    }
    // Ready when its log says it listens; given up when it exits or 20 s pass.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool ready = false, exited = false;
    while (!ready && !exited && std::chrono::steady_clock::now() < until) {
      ::usleep(20000);
      std::ifstream in(log_path);
      log_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      ready = log_.find("listening on port") != std::string::npos;
      exited = ::waitpid(pid, nullptr, WNOHANG) == pid;
    }
    ::unlink(log_path);  // the server keeps writing to the unlinked file; nothing is left behind
    if (ready) {
      pid_ = pid;
      port_ = port;
    } else if (!exited) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
}

EverythingHttpServer::~EverythingHttpServer() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGINT);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    ::usleep(20000);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

}  // namespace reagent::testing
