// A program run on a pseudo-terminal, driven as a person at a terminal would drive it.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace reagent::testing {

class Pty {
 public:
  // Starts argv[0] (a path) with NO_COLOR=1 and TERM=dumb on a new pseudo-terminal.
  explicit Pty(const std::vector<std::string>& argv);
  ~Pty();  // SIGKILLs the program if it is still running
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;

  // Types `s` (use "\r" for Enter, "\x03" for Ctrl-C).
  void Send(const std::string& s);
  // Reads until `needle` appears in the output after position `from` (or 20 s pass).
  bool WaitFor(const std::string& needle, size_t from = 0);
  // The same for the first of several needles to appear; returns its position (npos after 20 s).
  size_t WaitForAny(const std::vector<std::string>& needles, size_t from = 0);
  // Waits up to 20 s for the process to exit, reading its output meanwhile; its exit code,
  // -1 when it did not exit normally, -2 on timeout.
  int Wait();
  // Everything the program wrote so far.
  const std::string& screen() const { return screen_; }

 private:
  int fd_ = -1;
  pid_t pid_ = -1;
  bool exited_ = false;
  std::string screen_;
};

}  // namespace reagent::testing
