// A `reagent` child process started by an integration test: stdout readable line by line
// with a timeout, stderr to a file, stdin either /dev/null or a pipe the test writes to.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reagent::testing {

class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> env;           // "NAME=value" added to the child's environment
    std::string stderr_path = "/dev/null";  // appended to
    bool stdin_pipe = false;                // false: stdin is /dev/null
  };

  // nullptr when the pipes or the fork fail.
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& args, Options options);
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& args,
                                             const std::vector<std::string>& env = {},
                                             const std::string& stderr_path = "/dev/null");
  ~ChildProcess();  // SIGKILL and reap if still running

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Writes all of `bytes` to the child's stdin (started with stdin_pipe); false if it cannot.
  bool Write(std::string_view bytes);
  // Closes the child's stdin, so it reads EOF.
  void CloseStdin();

  // The next stdout line ("" on EOF or timeout).
  std::string ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The rest of stdout, until the child closes it (or `timeout` passes).
  std::string ReadToEnd(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  void Signal(int sig);
  // Exit code; -1 when killed by a signal; nullopt when still running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  pid_t pid() const { return pid_; }

 private:
  ChildProcess() = default;

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int in_fd_ = -1;
  bool reaped_ = false;
  std::string pending_;
};

}  // namespace reagent::testing
