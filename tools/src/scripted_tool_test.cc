#include "reagent/tools/scripted_tool.h"

#include <gtest/gtest.h>

#include "reagent/tools/tool_registry.h"

namespace reagent {
namespace {

using nlohmann::json;

const json kSearch = json::parse(R"({
  "description": "Search the web",
  "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
  "returns": ["first", {"error": "timeout"}, {"hits": 3}, {"error": "backend down"}]
})");

TEST(ScriptedTool, ReturnsEntriesInOrderThenReportsExhaustion) {
  auto tool = ScriptedTool::FromJson("search", kSearch);
  ASSERT_TRUE(tool.ok()) << tool.status();
  ToolRegistry reg;
  ASSERT_TRUE(reg.Register(*tool).ok());

  ToolResult first = reg.Invoke("search", "cats", {});
  EXPECT_FALSE(first.is_error);
  EXPECT_EQ(first.text, "first");

  ToolResult second = reg.Invoke("search", "dogs", {});
  EXPECT_TRUE(second.is_error);
  EXPECT_EQ(second.error_kind, tool_error::kTimeout);
  EXPECT_EQ(second.text, "timeout");

  ToolResult third = reg.Invoke("search", "birds", {});
  EXPECT_FALSE(third.is_error);
  EXPECT_EQ(third.text, R"({"hits":3})");
  EXPECT_EQ(third.structured, json({{"hits", 3}}));

  ToolResult fourth = reg.Invoke("search", "fish", {});
  EXPECT_EQ(fourth.error_kind, tool_error::kFailed);
  EXPECT_EQ(fourth.text, "backend down");

  ToolResult fifth = reg.Invoke("search", "more", {});
  EXPECT_TRUE(IsScriptExhausted(fifth));
  EXPECT_EQ(fifth.text, "script exhausted for tool search after 4 calls");
  EXPECT_EQ((*tool)->calls(), 5);
  EXPECT_EQ((*tool)->remaining(), 0u);
  EXPECT_EQ((*tool)->arguments_seen()[1], json({{"q", "dogs"}}));
}

TEST(ScriptedTool, InvalidArgumentsDoNotConsumeAnEntry) {
  auto tool = ScriptedTool::FromJson("search", kSearch);
  ASSERT_TRUE(tool.ok());
  EXPECT_EQ((*tool)->Invoke(json{{"q", 1}}).error_kind, tool_error::kInvalidArguments);
  EXPECT_EQ((*tool)->remaining(), 4u);
  EXPECT_EQ((*tool)->calls(), 0);
}

TEST(ScriptedTool, MalformedSpecsNameTheJsonPath) {
  EXPECT_EQ(ScriptedTool::FromJson("s", json::parse(R"({"returns": 3})")).status().message(),
            "tools.s.returns: expected an array");
  EXPECT_EQ(ScriptedTool::FromJson("s", json::parse(R"({"description": "d"})")).status().message(),
            "tools.s: missing \"returns\"");
  EXPECT_EQ(ScriptedTool::FromJson("s", json::parse(R"({"returns": [], "output": 1})")).status().message(),
            "tools.s.output: unknown key (expected description, parameters, returns)");
  EXPECT_EQ(ScriptedTool::FromJson("s", json::parse(R"({"returns": [{"error": 5}]})")).status().message(),
            "tools.s.returns[0].error: expected a string");
  EXPECT_EQ(ScriptedTool::FromJson("s", json::parse(R"({"returns": [], "parameters": {"type": "array"}})"), "scenario.tools")
                .status().message(),
            "scenario.tools.s.parameters.type: a tool's parameters must be {\"type\": \"object\", ...}");
}

TEST(ScriptedTool, DefaultParametersAcceptNoArguments) {
  auto tool = ScriptedTool::FromJson("now", json::parse(R"({"returns": ["12:00"]})"));
  ASSERT_TRUE(tool.ok());
  EXPECT_EQ((*tool)->Invoke(json::object()).text, "12:00");
}

}  // namespace
}  // namespace reagent
