#include "support/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>

namespace reagent::cli {

bool IsTerminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

bool ColorsWanted(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  return IsTerminal(stream);
}

int TerminalWidth(std::FILE* stream, int fallback) {
  winsize ws{};
  if (ioctl(fileno(stream), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return fallback;
}

std::string Paint(std::string_view text, Color color, bool enabled) {
  if (!enabled) return std::string(text);
  const char* code = "";
  switch (color) {
    case Color::kDim: code = "\033[2m"; break;
    case Color::kRed: code = "\033[31m"; break;
    case Color::kGreen: code = "\033[32m"; break;
    case Color::kYellow: code = "\033[33m"; break;
    case Color::kBlue: code = "\033[34m"; break;
    case Color::kMagenta: code = "\033[35m"; break;
    case Color::kCyan: code = "\033[36m"; break;
    case Color::kBold: code = "\033[1m"; break;
  }
  return std::string(code) + std::string(text) + "\033[0m";
}

std::string FormatDuration(double seconds) {
  char buf[32];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.0fms", seconds * 1000);
  } else if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else if (seconds < 3600) {
    int s = static_cast<int>(seconds);
    std::snprintf(buf, sizeof buf, "%dm%02ds", s / 60, s % 60);
  } else if (seconds < 1e15) {
    const long long s = static_cast<long long>(seconds);
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.3gs", seconds);  // a saturated "forever"
  }
  return buf;
}

std::string Counted(int64_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

}  // namespace reagent::cli
