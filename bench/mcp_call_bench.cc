// Per-call overhead of an MCP tool next to a built-in doing the same work (echo a string),
// all through ToolRegistry::Invoke from raw JSON text, as the agent calls them:
//   builtin            a MakeTool lambda on the caller's thread
//   builtin_worker     the same with a timeout (Run on a pooled worker thread)
//   mcp_stdio_fake     reagent's fake MCP server (C++) over stdio: the client, JSON-RPC and
//                      pipe round trip with a server that costs next to nothing
//   mcp_stdio_node     @modelcontextprotocol/server-everything's echo over stdio (Node)
//   mcp_http_node      the same server over streamable HTTP, when REAGENT_MCP_BENCH_URL names
//                      one (e.g. PORT=3001 node .../server-everything/dist/index.js streamableHttp)
// Wall time is what matters here (most of it is waiting for the other process); the machine
// is shared, so compare the rows of one run, not runs.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>

#include "reagent/mcp/mcp_server.h"
#include "reagent/tools/tool_registry.h"

namespace {

using nlohmann::json;

const json kEchoSchema = json::parse(R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})");

std::shared_ptr<reagent::Tool> BuiltinEcho(reagent::Duration timeout) {
  return reagent::MakeTool({.name = "echo", .description = "Echoes the text", .parameters = kEchoSchema,
                            .limits = {.timeout = timeout}},
                           [](const json& args, const reagent::ToolContext&) {
                             return reagent::ToolResult::Text(args["text"].get<std::string>());
                           });
}

void RunRegistry(benchmark::State& state, const reagent::ToolRegistry& reg, const std::string& name,
                 const std::string& args) {
  for (auto _ : state) {
    reagent::ToolResult r = reg.Invoke(name, args, {});
    if (r.is_error) {
      state.SkipWithError(r.text.c_str());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
}

void BM_Builtin(benchmark::State& state) {
  reagent::ToolRegistry reg;
  (void)reg.Register(BuiltinEcho(reagent::Duration::zero()));
  RunRegistry(state, reg, "echo", R"({"text":"weather in Paris"})");
}
BENCHMARK(BM_Builtin)->Name("builtin")->UseRealTime();

void BM_BuiltinWorker(benchmark::State& state) {
  reagent::ToolRegistry reg;
  (void)reg.Register(BuiltinEcho(reagent::Seconds(30)));
  RunRegistry(state, reg, "echo", R"({"text":"weather in Paris"})");
}
BENCHMARK(BM_BuiltinWorker)->Name("builtin_worker")->UseRealTime();

void BenchMcp(benchmark::State& state, reagent::McpServerConfig config, const std::string& arg_name) {
  auto server = reagent::McpServer::Start(config);
  if (!server.ok()) {
    state.SkipWithError(server.status().message().c_str());
    return;
  }
  reagent::ToolRegistry reg;
  for (auto& t : reagent::MakeMcpTools({*server}, {})) (void)reg.Register(t);
  RunRegistry(state, reg, "echo", "{\"" + arg_name + "\":\"weather in Paris\"}");
}

void BM_McpStdioFake(benchmark::State& state) {
#ifdef REAGENT_FAKE_MCP_SERVER
  BenchMcp(state, {.name = "fake", .command = {REAGENT_FAKE_MCP_SERVER}}, "text");
#else
  state.SkipWithError("the fake MCP server is built with the tests (REAGENT_BUILD_TESTS)");
#endif
}
BENCHMARK(BM_McpStdioFake)->Name("mcp_stdio_fake")->UseRealTime();

const std::string kEverything =
    std::string(REAGENT_SOURCE_DIR) + "/tests/mcp/node_modules/@modelcontextprotocol/server-everything/dist/index.js";

void BM_McpStdioNode(benchmark::State& state) {
  if (!std::filesystem::exists(kEverything)) {
    state.SkipWithError("server-everything is not installed (scripts/install-deps)");
    return;
  }
  BenchMcp(state, {.name = "everything", .command = {"node", kEverything, "stdio"}}, "message");
}
BENCHMARK(BM_McpStdioNode)->Name("mcp_stdio_node")->UseRealTime();

void BM_McpHttpNode(benchmark::State& state) {
  const char* url = std::getenv("REAGENT_MCP_BENCH_URL");
  if (!url || !*url) {
    state.SkipWithError("set REAGENT_MCP_BENCH_URL to a streamable HTTP server-everything");
    return;
  }
  BenchMcp(state, {.name = "everything", .url = url}, "message");
}
BENCHMARK(BM_McpHttpNode)->Name("mcp_http_node")->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
