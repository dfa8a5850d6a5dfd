// Shared by the mcp tests: configs for the fake server, a temp directory, bounded waiting.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reagent/mcp/mcp_server_config.h"

namespace reagent::mcp_test {

inline McpServerConfig FakeServer(std::vector<std::string> flags = {}, std::string name = "fake") {
  McpServerConfig c;
  c.name = std::move(name);
  c.command = {REAGENT_FAKE_MCP_SERVER};
  for (auto& f : flags) c.command.push_back(std::move(f));
  c.connect_timeout = Seconds(10);
  return c;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/reagent-mcp-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Waits (polling, bounded) for something a real child process does in its own time.
inline bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

}  // namespace reagent::mcp_test
