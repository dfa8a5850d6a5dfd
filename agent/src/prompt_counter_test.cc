#include "prompt_counter.h"

#include <gtest/gtest.h>

#include "reagent/tokenizer/token_counter.h"

namespace reagent {
namespace {

// The agent counts a prompt as fixed overhead + the sum of per-message counts, each message
// counted once; that must equal counting the whole prompt at once.
TEST(PromptCounter, IncrementalCountEqualsWholePromptCount) {
  const std::vector<ToolSpec> tools = {
      {"calculator", "Evaluates an arithmetic expression",
       {{"type", "object"}, {"properties", {{"expression", {{"type", "string"}}}}}}}};
  const std::vector<Message> messages = {
      Message::System("You are a helpful assistant."),
      Message::User("Xin chào! Thời tiết ở Hà Nội hôm nay thế nào?"),
      Message::Assistant("", {{"call_1", "calculator", R"({"expression":"17*23"})"}}),
      Message::Tool("call_1", "calculator", "<<<untrusted nonce=abc source=calculator>>>\n391\n"),
      Message::Assistant("Thought: done\nFinal Answer: 391 🎉"),
  };
  for (const std::string model : {"gpt-4.1", "gpt-4", "some-unknown-model"}) {
    auto counter = MakePromptCounter(model);
    ASSERT_TRUE(counter.ok());
    const nlohmann::json tools_json = ToolsJson(tools);
    int64_t incremental = (*counter)->CountFixed(tools_json);
    for (const Message& m : messages) incremental += (*counter)->CountMessage(m);
    EXPECT_EQ(incremental, TokenCounter::ForModel(model).CountMessages(messages, tools_json)) << model;
  }
}

TEST(PromptCounter, NoToolsIsNullJson) {
  EXPECT_TRUE(ToolsJson({}).is_null());
  const auto j = ToolsJson({{"search", "Search", {{"type", "object"}}}});
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["function"]["name"], "search");
}

}  // namespace
}  // namespace reagent
