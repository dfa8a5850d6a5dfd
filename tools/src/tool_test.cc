#include "reagent/tools/tool.h"

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "reagent/tools/output_text.h"

namespace reagent {
namespace {

using nlohmann::json;

const json kEchoSchema = json::parse(R"({"type":"object","properties":{"text":{"type":"string"}},"required":["text"]})");

std::shared_ptr<Tool> EchoTool(ToolLimits limits = {}) {
  return MakeTool({.name = "echo", .description = "Echoes text", .parameters = kEchoSchema, .limits = limits},
                  [](const json& args, const ToolContext&) { return ToolResult::Text(args["text"].get<std::string>()); });
}

// A tool that blocks until its gate opens or its context is cancelled; it reports what it saw
// through promises the test owns, so the test can drop the tool while it still runs.
struct Gate {
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::promise<void> started;
  std::promise<bool> finished;  // value: whether the worker's context was cancelled
};

std::shared_ptr<Tool> HangingTool(std::shared_ptr<Gate> gate, Duration timeout) {
  return MakeTool({.name = "hang", .description = "Never answers in time", .limits = {.timeout = timeout}},
                  [gate](const json&, const ToolContext& ctx) {
                    gate->started.set_value();
                    // The only real waiting in these tests: inside the tool under test.
                    while (!ctx.cancel.cancelled() &&
                           gate->opened.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready) {
                    }
                    gate->opened.wait();
                    gate->finished.set_value(ctx.cancel.cancelled());
                    return ToolResult::Text("late answer");
                  });
}

TEST(Tool, InvokeRunsTheToolWithValidArguments) {
  ToolResult r = EchoTool()->Invoke(json{{"text", "hi"}});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.text, "hi");
  EXPECT_EQ(r.error_kind, "");
}

TEST(Tool, InvalidArgumentsNeverReachRun) {
  std::atomic<int> runs{0};
  auto tool = MakeTool({.name = "count", .parameters = kEchoSchema}, [&](const json&, const ToolContext&) {
    ++runs;
    return ToolResult::Text("ran");
  });
  ToolResult r = tool->Invoke(json{{"text", 5}});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_kind, tool_error::kInvalidArguments);
  EXPECT_EQ(r.text, "invalid arguments for count: arguments.text: expected string, got number");
  ToolResult not_object = tool->Invoke(json::array());
  EXPECT_EQ(not_object.text, "invalid arguments for count: arguments: expected object, got array");
  EXPECT_EQ(runs.load(), 0);
}

TEST(Tool, ExceptionInRunBecomesAFailedResult) {
  auto tool = MakeTool({.name = "boom"}, [](const json&, const ToolContext&) -> ToolResult {
    throw std::runtime_error("disk on fire");
  });
  ToolResult r = tool->Invoke(json::object());
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_kind, tool_error::kFailed);
  EXPECT_EQ(r.text, "boom failed: disk on fire");
}

TEST(Tool, ErrorWithoutKindIsReportedAsFailed) {
  auto tool = MakeTool({.name = "bad"}, [](const json&, const ToolContext&) { return ToolResult{"nope", nullptr, true, ""}; });
  EXPECT_EQ(tool->Invoke(json::object()).error_kind, tool_error::kFailed);
}

TEST(Tool, HugeOutputIsCappedWithAMarker) {
  auto tool = MakeTool({.name = "flood", .limits = {.max_output_bytes = 100}},
                       [](const json&, const ToolContext&) { return ToolResult::Text(std::string(1'000'000, 'x')); });
  ToolResult r = tool->Invoke(json::object());
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.text, std::string(100, 'x') + "\n[output truncated: 999900 of 1000000 bytes cut]");
}

TEST(Tool, NonUtf8OutputIsMadeValid) {
  auto tool = MakeTool({.name = "binary"},
                       [](const json&, const ToolContext&) { return ToolResult::Text("ok\xff\xfe" "end\xc3"); });
  ToolResult r = tool->Invoke(json::object());
  EXPECT_EQ(r.text, "ok\xEF\xBF\xBD\xEF\xBF\xBD" "end\xEF\xBF\xBD");
  EXPECT_TRUE(IsValidUtf8(r.text));
}

TEST(Tool, CapNeverSplitsAMultiByteCharacter) {
  auto tool = MakeTool({.name = "accents", .limits = {.max_output_bytes = 3}},
                       [](const json&, const ToolContext&) { return ToolResult::Text("éééé"); });  // 8 bytes
  EXPECT_EQ(tool->Invoke(json::object()).text, "é\n[output truncated: 6 of 8 bytes cut]");
}

TEST(Tool, HungToolIsAbandonedWithATimeoutResult) {
  auto gate = std::make_shared<Gate>();
  auto tool = HangingTool(gate, std::chrono::milliseconds(20));
  ToolResult r = tool->Invoke(json::object());
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_kind, tool_error::kTimeout);
  EXPECT_EQ(r.text, "hang timed out after 0.02 s and was abandoned; try again with a simpler request or use another tool");
  // The abandoned worker saw its cancel token fire and finishes after the caller moved on.
  tool.reset();  // the caller drops the tool; the worker keeps it alive
  gate->open.set_value();
  EXPECT_TRUE(gate->finished.get_future().get());
}

TEST(Tool, CallerCancellationAbandonsTheRunAtOnce) {
  auto gate = std::make_shared<Gate>();
  auto tool = HangingTool(gate, Seconds(3600));
  CancellationSource source;
  auto result = std::async(std::launch::async, [&] { return tool->Invoke(json::object(), {.cancel = source.token()}); });
  gate->started.get_future().wait();
  source.Cancel();
  ToolResult r = result.get();
  EXPECT_EQ(r.error_kind, tool_error::kCancelled);
  gate->open.set_value();
  EXPECT_TRUE(gate->finished.get_future().get());
}

TEST(Tool, AlreadyCancelledCallDoesNotRun) {
  CancellationSource source;
  source.Cancel();
  ToolResult r = EchoTool()->Invoke(json{{"text", "x"}}, {.cancel = source.token()});
  EXPECT_EQ(r.error_kind, tool_error::kCancelled);
  EXPECT_EQ(r.text, "echo was not run: the call was cancelled");
}

TEST(Tool, PassedDeadlineOnTheInjectedClockRefusesToStart) {
  ManualClock clock;
  const TimePoint deadline = clock.Now() + Seconds(5);
  clock.Advance(Seconds(6));
  ToolResult r = EchoTool()->Invoke(json{{"text", "x"}}, {.clock = &clock, .deadline = deadline});
  EXPECT_EQ(r.error_kind, tool_error::kTimeout);
  EXPECT_EQ(r.text, "echo was not run: the deadline has passed");
}

TEST(Tool, TimeLeftIsTheSmallerOfTimeoutAndDeadline) {
  ManualClock clock;
  struct Probe : Tool {
    Probe() : Tool({.name = "probe", .limits = {.timeout = Seconds(30)}}) {}
    ToolResult Run(const json&, const ToolContext& ctx) override {
      return ToolResult::Text(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(TimeLeft(ctx)).count()));
    }
    bool EnforcesOwnTimeout() const override { return true; }
  };
  auto probe = std::make_shared<Probe>();
  EXPECT_EQ(probe->Invoke(json::object(), {.clock = &clock, .deadline = clock.Now() + Seconds(7)}).text, "7");
  EXPECT_EQ(probe->Invoke(json::object(), {.clock = &clock, .deadline = clock.Now() + Seconds(70)}).text, "30");
  EXPECT_EQ(probe->Invoke(json::object()).text, "30");
}

TEST(Tool, ConcurrentInvocationsEachGetTheirOwnResult) {
  auto tool = EchoTool({.timeout = Seconds(60)});  // through the worker pool
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 50;
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        const std::string text = std::to_string(t) + ":" + std::to_string(i);
        ToolResult r = tool->Invoke(json{{"text", text}});
        if (r.is_error || r.text != text) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Tool, SpecIsTheOpenAiFunctionShape) {
  ToolSpec spec = EchoTool()->spec();
  EXPECT_EQ(spec.name, "echo");
  EXPECT_EQ(spec.description, "Echoes text");
  EXPECT_EQ(spec.parameters, kEchoSchema);
}

TEST(Tool, JsonResultCarriesStructuredValueAndItsDump) {
  ToolResult r = ToolResult::Json(json{{"hits", 3}});
  EXPECT_EQ(r.text, R"({"hits":3})");
  EXPECT_EQ(r.structured["hits"], 3);
}

}  // namespace
}  // namespace reagent
