// Running the real `reagent` executable from integration tests.
#pragma once

#include <string>
#include <vector>

namespace reagent::testing {

struct CliRun {
  int exit_code = -1;   // -1 when the process did not exit normally
  std::string out;      // stdout (and stderr when merged)
  std::string err;      // stderr when captured separately
};

// Runs `env reagent TAIL` through the shell and captures its stdout. TAIL is shell text: it
// may carry redirections ("scan --jsonl < in.jsonl", "... 2>&1").
CliRun ReagentShell(const std::string& tail, const std::string& env = "");

// Runs `reagent ARGS` with `env` ("A=1 B=2") in front, stdin empty, stderr merged into out.
// Arguments are shell words: quote them.
CliRun Reagent(const std::string& args, const std::string& env = "");

// The same with stdout and stderr captured separately; `input` is fed to stdin.
CliRun ReagentSplit(const std::string& args, const std::string& env = "", const std::string& input = "");

// A fresh directory under the system temp dir ("reagent-<tag>-XXXXXX"); removed by the
// caller with RemoveTree.
std::string MakeTempDir(const std::string& tag);
void RemoveTree(const std::string& path);

// In a freshly forked child, with its streams set up: becomes `reagent ARGS` (the binary
// under test); exits with 127 if that fails.
[[noreturn]] void ExecReagent(const std::vector<std::string>& args);

// Single-quotes s for the shell.
std::string ShellQuote(const std::string& s);

}  // namespace reagent::testing
