// Overhead of a tool call through reagent's tools layer: argument parsing, schema validation,
// limits (timeout bookkeeping, output cap, UTF-8 check) around a Run that does nothing.
#include <benchmark/benchmark.h>

#include "reagent/tools/builtin_tools.h"
#include "reagent/tools/tool.h"
#include "reagent/tools/tool_registry.h"

namespace {

using nlohmann::json;

const json kSchema = json::parse(R"({"type":"object","properties":{
  "q":{"type":"string","minLength":1,"maxLength":200},
  "limit":{"type":"integer","minimum":1,"maximum":50}},"required":["q"]})");

std::shared_ptr<reagent::Tool> EchoTool(reagent::Duration timeout) {
  return reagent::MakeTool({.name = "search", .description = "d", .parameters = kSchema, .limits = {.timeout = timeout}},
                           [](const json& args, const reagent::ToolContext&) {
                             return reagent::ToolResult::Text(args["q"].get<std::string>());
                           });
}

// Tool::Invoke with parsed arguments, Run on the caller's thread (timeout 0).
void BM_ToolInvokeInline(benchmark::State& state) {
  auto tool = EchoTool(reagent::Duration::zero());
  const json args{{"q", "weather in Paris"}, {"limit", 5}};
  for (auto _ : state) benchmark::DoNotOptimize(tool->Invoke(args));
}
BENCHMARK(BM_ToolInvokeInline);

// ToolRegistry::Invoke from raw JSON text: lookup + parse + validate + Invoke + filter.
void BM_RegistryInvokeRawJson(benchmark::State& state) {
  reagent::ToolRegistry reg;
  (void)reg.Register(EchoTool(reagent::Duration::zero()));
  for (auto _ : state) benchmark::DoNotOptimize(reg.Invoke("search", R"({"q":"weather in Paris","limit":5})", {}));
}
BENCHMARK(BM_RegistryInvokeRawJson);

// ReAct plain-text Action Input for the calculator (parse + evaluate).
void BM_RegistryInvokeCalculator(benchmark::State& state) {
  reagent::ToolRegistry reg;
  (void)reg.Register(reagent::MakeCalculatorTool());
  for (auto _ : state) benchmark::DoNotOptimize(reg.Invoke("calculator", "(17*23)^2 / sqrt(2)", {}));
}
BENCHMARK(BM_RegistryInvokeCalculator);

// The same tool with a timeout: Run hops to a pooled worker thread so a hang can be abandoned.
void BM_ToolInvokeOnWorker(benchmark::State& state) {
  auto tool = EchoTool(reagent::Seconds(30));
  const json args{{"q", "weather in Paris"}, {"limit", 5}};
  for (auto _ : state) benchmark::DoNotOptimize(tool->Invoke(args));
}
BENCHMARK(BM_ToolInvokeOnWorker);

}  // namespace

BENCHMARK_MAIN();
