#include "support/reagent_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace reagent::testing {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

void ExecReagent(const std::vector<std::string>& args) {
  std::vector<std::string> copy = args;
  std::string bin = REAGENT_BIN;
  std::vector<char*> argv{bin.data()};
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(REAGENT_BIN, argv.data());
  _exit(127);
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CliRun Reagent(const std::string& args, const std::string& env) {
  return ReagentShell(args + " 2>&1 </dev/null", env);
}

CliRun ReagentShell(const std::string& tail, const std::string& env) {
  std::string cmd = env + " " + std::string(REAGENT_BIN) + " " + tail;
  FILE* p = popen(cmd.c_str(), "r");
  CliRun run;
  if (!p) return run;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) run.out.append(buf.data(), n);
  run.exit_code = ExitCode(pclose(p));
  return run;
}

CliRun ReagentSplit(const std::string& args, const std::string& env, const std::string& input) {
  std::string dir = MakeTempDir("run");
  std::ofstream(dir + "/in", std::ios::binary) << input;
  std::string cmd = env + " " + std::string(REAGENT_BIN) + " " + args + " <" + dir + "/in >" + dir +
                    "/out 2>" + dir + "/err";
  CliRun run;
  run.exit_code = ExitCode(std::system(cmd.c_str()));
  run.out = ReadFile(dir + "/out");
  run.err = ReadFile(dir + "/err");
  RemoveTree(dir);
  return run;
}

std::string MakeTempDir(const std::string& tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("reagent-" + tag + "-XXXXXX")).string();
  return mkdtemp(tmpl.data()) ? tmpl : "";
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  if (!path.empty()) std::filesystem::remove_all(path, ec);
}

}  // namespace reagent::testing
