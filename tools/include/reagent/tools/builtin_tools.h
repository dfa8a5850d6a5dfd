// The tools reagent ships: calculator, current_time, read_file, list_dir. Each is an ordinary
// Tool (same validation, limits and output cap as any other).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/tools/tool.h"

namespace reagent {

// calculator {"expression": string}: evaluates arithmetic with EvaluateExpression
// (calculator.h) and answers with the number ("391"); errors say what is wrong with the
// expression. Runs on the caller's thread (no timeout needed: the work is bounded by the
// 4 KiB expression limit). Plain-text Action Input works: `Action Input: 17*23`.
std::shared_ptr<Tool> MakeCalculatorTool();

struct CurrentTimeOptions {
  // The clock to read when the call's ToolContext has none. nullptr: SystemClock::Default().
  // Not owned; must outlive the tool.
  Clock* clock = nullptr;
  // Zone used when the model names none. Default "UTC": a server's local zone is rarely the
  // user's, so reagent does not guess.
  std::string default_time_zone = "UTC";
  // Where compiled IANA zone files live (TimeZone::Load).
  std::string zoneinfo_dir = "/usr/share/zoneinfo";
};

// current_time {"time_zone"?: string}: "2025-01-01T01:00:00+01:00 (Wednesday, Europe/Paris,
// CET)" plus structured {"iso", "unix", "time_zone", "abbreviation", "utc_offset_s",
// "weekday"}. Reads ctx.clock's WallNow() (the injected clock), else options.clock.
std::shared_ptr<Tool> MakeCurrentTimeTool(CurrentTimeOptions options = {});

struct FileToolOptions {
  // The directory the tools may read; nothing outside it is reachable. Required; resolved
  // with realpath once, at creation.
  std::string root;
  // read_file refuses larger files. Default 1 MiB: whole source files and documents, not
  // databases or logs (the output cap then trims what the model sees).
  std::size_t max_file_bytes = 1 << 20;
  // list_dir stops after this many entries and says so. Default 1000.
  std::size_t max_entries = 1000;
};

// read_file {"path": string}: the text of a regular file under root. Refused with a
// `failed` result naming the reason: absolute paths, ".." components, percent-encoded dots or
// slashes ("%2e%2e"), NUL bytes, symlinks whose target is outside root (checked by realpath
// before opening and by the opened descriptor's /proc/self/fd path after, so a swap between
// the two is caught), devices/FIFOs/sockets/directories, files over max_file_bytes.
// InvalidArgument when root is not an existing directory.
Result<std::shared_ptr<Tool>> MakeReadFileTool(FileToolOptions options);

// list_dir {"path"?: string}: the entries of a directory under root (default: root itself),
// sorted, one per line, directories with a trailing '/'. Same confinement as read_file.
Result<std::shared_ptr<Tool>> MakeListDirTool(FileToolOptions options);

struct BuiltinToolOptions {
  CurrentTimeOptions time;
  FileToolOptions files;  // read_file and list_dir need files.root
};

// "calculator", "current_time", "read_file", "list_dir".
std::vector<std::string> BuiltinToolNames();

// A built-in by name (a scenario's "tools": ["calculator"]). NotFound for other names.
Result<std::shared_ptr<Tool>> MakeBuiltinTool(std::string_view name, const BuiltinToolOptions& options = {});

}  // namespace reagent
