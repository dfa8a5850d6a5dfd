// Tools as external programs, declared in JSON, so users add tools without writing C++.
//
//   {"tools": [{
//     "name": "grep_docs",
//     "description": "Searches the documentation for a phrase",
//     "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
//     "argv": ["python3", "tools/grep_docs.py"],
//     "cwd": "/srv/docs",                 // optional; default: reagent's working directory
//     "env": ["PATH", "LANG"],            // optional allow-list of variables passed through
//     "set_env": {"DOCS_INDEX": "v2"},    // optional fixed variables
//     "timeout_s": 10,                    // optional; default 30
//     "kill_grace_s": 1,                  // optional; SIGTERM → SIGKILL delay; default 1
//     "max_output_bytes": 16384           // optional; default 16384
//   }]}
//
// A call runs argv directly (posix_spawn, never a shell; nothing from the model is ever
// put on the command line) in its own process group, writes the validated arguments as one
// JSON object and a newline to its stdin, and reads stdout as the result. The environment is
// empty except for the allow-listed and fixed variables, so API keys in reagent's environment
// do not leak into tools. Outcomes:
//   exit 0                → stdout (capped; the marker counts what the program printed);
//   exit ≠ 0 or a signal  → `failed`, "grep_docs exited with status 2: <last 1 KiB of stderr>";
//   over timeout_s        → `timeout`; the whole group gets SIGTERM, then SIGKILL after
//                           kill_grace_s if anything in it ignores SIGTERM;
//   ctx.cancel fires      → `cancelled`, same killing;
//   cannot start          → `failed`, "cannot start python3: No such file or directory".
// Timeouts are measured on the real steady clock (a process runs in real time); an earlier
// ctx.deadline on the injected clock shortens them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reagent/core/status.h"
#include "reagent/tools/tool.h"

namespace reagent {

struct ExternalToolConfig {
  ToolDefinition definition;  // name, description, parameters; limits.timeout and max_output_bytes
  std::vector<std::string> argv;                  // required, non-empty
  std::string cwd;                                // empty: inherit reagent's
  std::vector<std::string> env;                   // names copied from reagent's environment
  std::map<std::string, std::string> set_env;     // fixed NAME=value pairs
  // Between SIGTERM and SIGKILL. Default 1 s: enough for a well-behaved program to flush and
  // exit, short enough that one that ignores SIGTERM costs little.
  Duration kill_grace = Seconds(1);
  // Bytes of stderr quoted in a failure. Default 1 KiB: the error, not the whole log.
  std::size_t stderr_tail_bytes = 1024;
};

// Thread-safe: concurrent calls run separate processes.
class ExternalTool final : public Tool {
 public:
  // InvalidArgument for an empty argv or a timeout of zero (a program always gets a deadline).
  static Result<std::shared_ptr<ExternalTool>> Create(ExternalToolConfig config);

  const ExternalToolConfig& config() const { return config_; }

  explicit ExternalTool(ExternalToolConfig config);  // use Create

 protected:
  ToolResult Run(const nlohmann::json& arguments, const ToolContext& ctx) override;
  bool EnforcesOwnTimeout() const override { return true; }

 private:
  ExternalToolConfig config_;
};

// Parses a tools config: {"tools": [entry, ...]} or a bare array of entries (format above).
// Errors name the JSON path: "tools[1].argv: expected a non-empty array of strings",
// "tools[0].timeout_s: expected a positive number", "tools[2].shell: unknown key". `path` is
// the array's name in those messages (a file that nests the list elsewhere says so:
// "tools.external").
Result<std::vector<std::shared_ptr<Tool>>> LoadToolsFromJson(const nlohmann::json& config,
                                                             std::string_view path = "tools");

// Reads and parses a tools config file (errors name the path).
Result<std::vector<std::shared_ptr<Tool>>> LoadToolsFromFile(const std::string& path);

}  // namespace reagent
