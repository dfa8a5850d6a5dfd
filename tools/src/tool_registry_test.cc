#include "reagent/tools/tool_registry.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "reagent/tools/action_input.h"

namespace reagent {
namespace {

using nlohmann::json;

std::shared_ptr<Tool> Named(const std::string& name, json params = json::parse(R"({"type":"object","properties":{"q":{"type":"string","description":"query"}},"required":["q"]})")) {
  return MakeTool({.name = name, .description = name + " things", .parameters = std::move(params)},
                  [name](const json& args, const ToolContext&) { return ToolResult::Text(name + ":" + args.dump()); });
}

ToolRegistry TwoTools() {
  ToolRegistry r;
  EXPECT_TRUE(r.Register(Named("search")).ok());
  EXPECT_TRUE(r.Register(Named("lookup")).ok());
  return r;
}

TEST(ToolRegistry, UnknownToolListsTheValidOnes) {
  ToolResult r = TwoTools().Invoke("browse", R"({"q":"x"})", {});
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(r.error_kind, tool_error::kUnknownTool);
  EXPECT_EQ(r.text, "browse is not a valid tool, try one of [search, lookup]");
}

TEST(ToolRegistry, EmptyToolNameIsReportedAsMissing) {
  EXPECT_EQ(TwoTools().Invoke("", "{}", {}).text, "No tool was named, try one of [search, lookup]");
}

TEST(ToolRegistry, PlainStringInputGoesToTheSingleStringParameter) {
  ToolResult r = TwoTools().Invoke("search", "  weather in Paris \n", {});
  EXPECT_FALSE(r.is_error);
  EXPECT_EQ(r.text, R"(search:{"q":"weather in Paris"})");
}

TEST(ToolRegistry, JsonObjectInputIsUsedAsIs) {
  EXPECT_EQ(TwoTools().Invoke("search", R"({"q": "x"})", {}).text, R"(search:{"q":"x"})");
}

TEST(ToolRegistry, FencedJsonInputIsUnwrapped) {
  EXPECT_EQ(TwoTools().Invoke("search", "```json\n{\"q\": \"x\"}\n```", {}).text, R"(search:{"q":"x"})");
}

TEST(ToolRegistry, QuotedStringInputIsUnquoted) {
  EXPECT_EQ(TwoTools().Invoke("search", R"("a \"b\"")", {}).text, R"(search:{"q":"a \"b\""})");
}

TEST(ToolRegistry, SchemaErrorsBecomeInvalidArgumentObservations) {
  ToolResult r = TwoTools().Invoke("search", R"({"q": 3})", {});
  EXPECT_EQ(r.error_kind, tool_error::kInvalidArguments);
  EXPECT_EQ(r.text, "invalid arguments for search: arguments.q: expected string, got number");
}

TEST(ToolRegistry, MultiParameterToolRejectsPlainText) {
  ToolRegistry reg;
  ASSERT_TRUE(reg.Register(Named("add", json::parse(R"({"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}}})"))).ok());
  ToolResult r = reg.Invoke("add", "1 and 2", {});
  EXPECT_EQ(r.error_kind, tool_error::kInvalidArguments);
  EXPECT_EQ(r.text.rfind("invalid arguments for add: Action Input is not a JSON object (Action Input: invalid JSON at byte", 0), 0u) << r.text;
  EXPECT_NE(r.text.find("expected a JSON object with properties [a, b]"), std::string::npos);
  EXPECT_EQ(reg.Invoke("add", "[1,2]", {}).text,
            "invalid arguments for add: Action Input: expected a JSON object with properties [a, b], got array");
}

TEST(ToolRegistry, EmptyInputIsTheEmptyObject) {
  EXPECT_EQ(TwoTools().Invoke("search", "", {}).text, "invalid arguments for search: arguments: missing required property \"q\"");
}

TEST(ToolRegistry, RegisterRejectsBadNamesSchemasAndDuplicates) {
  ToolRegistry reg;
  EXPECT_EQ(reg.Register(Named("has space")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reg.Register(Named(std::string(65, 'a'))).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reg.Register(Named("s", json::parse(R"({"type":"string"})"))).message(),
            "s.parameters.type: a tool's parameters must be {\"type\": \"object\", ...}");
  EXPECT_EQ(reg.Register(nullptr).code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(reg.Register(Named("ok")).ok());
  EXPECT_EQ(reg.Register(Named("ok")).code(), StatusCode::kAlreadyExists);
}

TEST(ToolRegistry, RestrictKeepsOnlyTheAllowList) {
  ToolRegistry all = TwoTools();
  Result<ToolRegistry> only = all.Restrict({"lookup"});
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->Names(), std::vector<std::string>{"lookup"});
  EXPECT_EQ(only->Invoke("search", "x", {}).text, "search is not a valid tool, try one of [lookup]");
  EXPECT_EQ(all.Restrict({"nope"}).status().message(), "allowed tool \"nope\" is not registered (registered: [search, lookup])");
}

TEST(ToolRegistry, SpecsAreInRegistrationOrder) {
  auto specs = TwoTools().Specs();
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[0].name, "search");
  EXPECT_EQ(specs[1].name, "lookup");
  EXPECT_EQ(specs[0].parameters["required"], json::array({"q"}));
}

TEST(ToolRegistry, ReactDescriptionShowsArgumentsAndPlainTextHint) {
  ToolRegistry reg;
  ASSERT_TRUE(reg.Register(Named("search")).ok());
  ASSERT_TRUE(reg.Register(Named("add", json::parse(R"({"type":"object","properties":{"a":{"type":"number"},"op":{"enum":["+","-"]}},"required":["a"]})"))).ok());
  EXPECT_EQ(reg.DescribeForReact(),
            "search: search things\n  Action Input: {\"q\": string (required) - query} or the q as plain text\n"
            "add: add things\n  Action Input: {\"a\": number (required), \"op\": any one of [\"+\",\"-\"]}\n");
}

TEST(ToolRegistry, OutputFilterSeesEveryResult) {
  ToolRegistry reg = TwoTools();
  reg.SetOutputFilter([](std::string_view tool, std::string_view text) {
    return "<<" + std::string(tool) + "|" + std::string(text) + ">>";
  });
  EXPECT_EQ(reg.Invoke("search", "x", {}).text, R"(<<search|search:{"q":"x"}>>)");
  EXPECT_EQ(reg.Invoke("zzz", "x", {}).text, "<<zzz|zzz is not a valid tool, try one of [search, lookup]>>");
}

TEST(ToolRegistry, UnknownNameIsEchoedAsValidShortUtf8) {
  ToolResult r = TwoTools().Invoke("bad\xff" + std::string(200, 'n'), "", {});
  EXPECT_EQ(r.text, "bad\xEF\xBF\xBD" + std::string(76, 'n') + " is not a valid tool, try one of [search, lookup]");
}

TEST(ToolRegistry, ConcurrentLookupsAndInvocationsAgree) {
  ToolRegistry reg = TwoTools();
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string name = (t + i) % 2 ? "search" : "lookup";
        ToolResult r = reg.Invoke(name, std::to_string(i), {});
        if (r.text != name + ":{\"q\":\"" + std::to_string(i) + "\"}") ++wrong;
        if (reg.Specs().size() != 2) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(ActionInput, SingleStringParameterRules) {
  EXPECT_EQ(SingleStringParameter(json::parse(R"({"type":"object","properties":{"q":{"type":"string"}}})")), "q");
  EXPECT_EQ(SingleStringParameter(json::parse(R"({"type":"object","properties":{"q":{"type":"integer"}}})")), std::nullopt);
  EXPECT_EQ(SingleStringParameter(json::parse(
                R"({"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}},"required":["q"]})")),
            "q");
  EXPECT_EQ(SingleStringParameter(json::parse(
                R"({"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}}})")),
            std::nullopt);
}

}  // namespace
}  // namespace reagent
