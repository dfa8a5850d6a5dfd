#include "reagent/tools/external_tool.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

using nlohmann::json;

const json kQuerySchema = json::parse(R"({"type":"object","properties":{"q":{"type":"string"}}})");

std::shared_ptr<Tool> Shell(const std::string& name, const std::string& script, ExternalToolConfig extra = {}) {
  extra.definition.name = name;
  extra.definition.description = "test program";
  extra.definition.parameters = kQuerySchema;
  extra.argv = {"/bin/sh", "-c", script};
  auto tool = ExternalTool::Create(std::move(extra));
  EXPECT_TRUE(tool.ok()) << tool.status();
  return tool.ok() ? std::shared_ptr<Tool>(*tool) : nullptr;
}

std::string TempPath(const std::string& stem) {
  return "/tmp/reagent_" + stem + "_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand());
}

TEST(ExternalTool, ArgumentsArriveAsJsonOnStdin) {
  ToolResult r = Shell("echo", "cat")->Invoke(json{{"q", "hi"}});
  EXPECT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.text, "{\"q\":\"hi\"}\n");
}

TEST(ExternalTool, ShellMetacharactersInArgumentsAreNeverInterpreted) {
  const std::string marker = TempPath("injected");
  const std::string evil = "$(touch " + marker + "); `touch " + marker + "`; rm -rf /nonexistent";
  ToolResult r = Shell("echo", "cat")->Invoke(json{{"q", evil}});
  EXPECT_EQ(r.text, (json{{"q", evil}}).dump() + "\n");
  EXPECT_NE(::access(marker.c_str(), F_OK), 0);
}

TEST(ExternalTool, NonZeroExitIsAnErrorQuotingTheStderrTail) {
  ExternalToolConfig c;
  c.stderr_tail_bytes = 13;  // "n: disk full\n"
  ToolResult r = Shell("failing", "echo 'a long preamble then: disk full' >&2; exit 3", c)->Invoke(json::object());
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_kind, tool_error::kFailed);
  EXPECT_EQ(r.text, "failing exited with status 3: n: disk full");
}

TEST(ExternalTool, DeathBySignalIsReported) {
  ToolResult r = Shell("crashing", "kill -SEGV $$")->Invoke(json::object());
  EXPECT_EQ(r.error_kind, tool_error::kFailed);
  EXPECT_EQ(r.text.rfind("crashing was killed by signal 11", 0), 0u) << r.text;
}

TEST(ExternalTool, TimeoutKillsAProgramThatIgnoresSigterm) {
  const std::string pidfile = TempPath("pid");
  ExternalToolConfig c;
  c.definition.limits.timeout = Seconds(1);
  c.kill_grace = Seconds(0.1);
  // Ignored signals stay ignored across exec, so `sleep` ignores SIGTERM too.
  auto tool = Shell("stubborn", "trap '' TERM; echo $$ > " + pidfile + "; exec sleep 60", c);
  ToolResult r = tool->Invoke(json::object());
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_kind, tool_error::kTimeout);
  EXPECT_EQ(r.text, "stubborn timed out after 1 s; it ignored SIGTERM and was killed with SIGKILL");
  pid_t pid = 0;
  std::ifstream(pidfile) >> pid;
  ASSERT_GT(pid, 0);
  EXPECT_EQ(::kill(pid, 0), -1);  // killed and reaped: no such process
  EXPECT_EQ(errno, ESRCH);
  std::remove(pidfile.c_str());
}

TEST(ExternalTool, TimeoutTerminatesAWellBehavedProgramWithSigterm) {
  ExternalToolConfig c;
  c.definition.limits.timeout = Seconds(0.3);
  c.kill_grace = Seconds(30);  // it never waits this long: sleep dies on SIGTERM
  ToolResult r = Shell("slow", "exec sleep 60", c)->Invoke(json::object());
  EXPECT_EQ(r.error_kind, tool_error::kTimeout);
  EXPECT_EQ(r.text, "slow timed out after 0.3 s; its process group was terminated");
}

TEST(ExternalTool, BackgroundStragglersDoNotHoldTheCallOpen) {
  ExternalToolConfig c;
  c.definition.limits.timeout = Seconds(60);
  // The background sleep keeps stdout open; the call must end when the shell exits.
  ToolResult r = Shell("forking", "sleep 60 & echo done", c)->Invoke(json::object());
  EXPECT_FALSE(r.is_error) << r.text;
  EXPECT_EQ(r.text, "done\n");
}

TEST(ExternalTool, HugeOutputIsCappedAndTheMarkerCountsEverything) {
  ExternalToolConfig c;
  c.definition.limits.max_output_bytes = 1000;
  ToolResult r = Shell("flood", "head -c 1000000 /dev/zero | tr '\\000' x", c)->Invoke(json::object());
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.text, std::string(1000, 'x') + "\n[output truncated: 999000 of 1000000 bytes cut]");
}

TEST(ExternalTool, NonUtf8OutputIsMadeValid) {
  ToolResult r = Shell("binary", "printf '\\377\\376ok'")->Invoke(json::object());
  EXPECT_EQ(r.text, "\xEF\xBF\xBD\xEF\xBF\xBDok");
}

TEST(ExternalTool, EnvironmentHoldsOnlyAllowListedAndFixedVariables) {
  ::setenv("REAGENT_TEST_VISIBLE", "yes", 1);
  ::setenv("REAGENT_TEST_SECRET_KEY", "sk-do-not-leak", 1);
  ExternalToolConfig c;
  c.env = {"REAGENT_TEST_VISIBLE", "REAGENT_TEST_UNSET"};
  c.set_env = {{"FIXED", "1"}};
  ToolResult r = Shell("env", "env | grep -E '^(REAGENT|FIXED)' | sort", c)->Invoke(json::object());
  EXPECT_EQ(r.text, "FIXED=1\nREAGENT_TEST_VISIBLE=yes\n");
}

TEST(ExternalTool, RunsInTheConfiguredDirectory) {
  ExternalToolConfig c;
  c.cwd = "/";
  EXPECT_EQ(Shell("where", "pwd", c)->Invoke(json::object()).text, "/\n");
}

TEST(ExternalTool, MissingProgramIsAFailedResult) {
  auto tool = ExternalTool::Create({.definition = {.name = "ghost"}, .argv = {"/nonexistent/reagent-tool"}});
  ASSERT_TRUE(tool.ok());
  ToolResult r = (*tool)->Invoke(json::object());
  EXPECT_EQ(r.error_kind, tool_error::kFailed);
  EXPECT_EQ(r.text, "cannot start /nonexistent/reagent-tool: No such file or directory");
}

TEST(ExternalTool, CancellationStopsTheProgram) {
  ExternalToolConfig c;
  c.definition.limits.timeout = Seconds(60);
  auto tool = Shell("waiting", "exec sleep 60", c);
  CancellationSource source;
  std::thread canceller([&] { source.Cancel(); });
  ToolResult r = tool->Invoke(json::object(), {.cancel = source.token()});
  canceller.join();
  EXPECT_EQ(r.error_kind, tool_error::kCancelled);
}

TEST(ExternalTool, ConcurrentCallsRunSeparateProcesses) {
  auto tool = Shell("echo", "cat");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const json args{{"q", std::to_string(t) + "/" + std::to_string(i)}};
        if (tool->Invoke(args).text != args.dump() + "\n") ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ToolConfig, LoadsExternalToolsFromJson) {
  auto tools = LoadToolsFromJson(json::parse(R"({"tools": [{
      "name": "grep_docs", "description": "Searches docs",
      "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
      "argv": ["/bin/sh", "-c", "cat"], "cwd": "/", "env": ["PATH"], "set_env": {"A": "b"},
      "timeout_s": 2.5, "kill_grace_s": 0.5, "max_output_bytes": 100}]})"));
  ASSERT_TRUE(tools.ok()) << tools.status();
  ASSERT_EQ(tools->size(), 1u);
  auto& tool = (*tools)[0];
  EXPECT_EQ(tool->name(), "grep_docs");
  EXPECT_EQ(tool->limits().timeout, Seconds(2.5));
  EXPECT_EQ(tool->limits().max_output_bytes, 100u);
  ToolRegistry reg;
  ASSERT_TRUE(reg.Register(tool).ok());
  EXPECT_EQ(reg.Invoke("grep_docs", "needle", {}).text, "{\"q\":\"needle\"}\n");
}

TEST(ToolConfig, ErrorsNameTheJsonPath) {
  auto err = [](const char* text) { return LoadToolsFromJson(json::parse(text)).status().message(); };
  EXPECT_EQ(err(R"([{"name": "a"}])"), "tools[0].argv: required (the program and its fixed arguments)");
  EXPECT_EQ(err(R"([{"name": "a", "argv": []}])"), "tools[0].argv: expected a non-empty array of strings, got array");
  EXPECT_EQ(err(R"([{"name": "a", "argv": ["x", 1]}])"), "tools[0].argv[1]: expected a string, got integer");
  EXPECT_EQ(err(R"([{"name": "a", "argv": ["x"], "timeout_s": 0}])"), "tools[0].timeout_s: expected a positive number, got integer");
  EXPECT_EQ(err(R"([{"name": "a", "argv": ["x"], "shell": true}])"), "tools[0].shell: unknown key");
  EXPECT_EQ(err(R"([{"argv": ["x"]}])"), "tools[0].name: expected a string (required)");
  EXPECT_EQ(err(R"([{"name": "a", "argv": ["x"]}, {"name": "a", "argv": ["y"]}])"), "tools[1].name: \"a\" is declared twice");
  EXPECT_EQ(err(R"({"tools": {}})"), "tools: expected an array, got object");
  EXPECT_EQ(err(R"({"tool": []})"), "tool: unknown key (expected \"tools\")");
  EXPECT_EQ(err(R"([{"name": "a", "argv": ["x"], "parameters": {"type": "object", "properties": {"q": {"type": "text"}}}}])"),
            "tools[0].parameters.properties.q.type: unknown type \"text\"");
}

TEST(ToolConfig, MissingFileIsNamed) {
  EXPECT_EQ(LoadToolsFromFile("/nonexistent/tools.json").status().message(),
            "cannot open /nonexistent/tools.json: No such file or directory");
}

}  // namespace
}  // namespace reagent
