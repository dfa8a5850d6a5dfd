#include "process_identity.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace reagent::session_internal {
namespace {

struct ProcStat {
  char state = '?';
  int64_t start_ticks = 0;
};

// /proc/<pid>/stat: "pid (comm) state ppid ... starttime(22) ...". comm may hold spaces and
// parentheses, so fields are counted from the last ')'.
std::optional<ProcStat> ReadProcStat(int64_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return std::nullopt;
  std::string line((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  ProcStat stat;
  fields >> stat.state;
  std::string skip;
  constexpr int kFieldsBetweenStateAndStart = 18;  // fields 4..21
  for (int i = 0; i < kFieldsBetweenStateAndStart; ++i) fields >> skip;
  fields >> stat.start_ticks;
  if (!fields) return std::nullopt;
  return stat;
}

}  // namespace

ProcessIdentity CurrentProcess() {
  static thread_local ProcessIdentity cached;
  int64_t pid = getpid();
  if (cached.pid != pid) {
    auto stat = ReadProcStat(pid);
    cached = {pid, stat ? stat->start_ticks : 0};
  }
  return cached;
}

bool ProcessAlive(const ProcessIdentity& process) {
  if (process.pid == getpid()) {
    // Our pid, but maybe a predecessor's row (a restarted container's app is pid 1 again).
    ProcessIdentity me = CurrentProcess();
    return process.start_ticks == me.start_ticks;
  }
  if (process.start_ticks != 0) {
    auto stat = ReadProcStat(process.pid);
    if (stat) return stat->state != 'Z' && stat->state != 'X' && stat->start_ticks == process.start_ticks;
    return false;
  }
  return kill(static_cast<pid_t>(process.pid), 0) == 0 || errno == EPERM;
}

}  // namespace reagent::session_internal
