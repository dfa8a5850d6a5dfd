#include "reagent/core/message.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

using nlohmann::json;

TEST(MessageJsonTest, RoundTripsEveryRole) {
  std::vector<Message> messages = {
      Message::System("be brief"),
      Message::User("17*23?"),
      Message::Assistant("", {{"call_1", "calculator", R"({"expression":"17*23"})"}}),
      Message::Tool("call_1", "calculator", "391"),
      Message::Assistant("391"),
  };
  for (const auto& m : messages) {
    json j = m;
    auto back = MessageFromJson(j);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, m) << j.dump();
  }
}

TEST(MessageJsonTest, MatchesTheOpenAIWireShape) {
  json j = Message::Assistant("", {{"call_1", "search", R"({"q":"x"})"}});
  EXPECT_EQ(j["role"], "assistant");
  EXPECT_TRUE(j["content"].is_null());
  EXPECT_EQ(j["tool_calls"][0]["type"], "function");
  EXPECT_EQ(j["tool_calls"][0]["function"]["arguments"], R"({"q":"x"})");
  json t = Message::Tool("call_1", "search", "result");
  EXPECT_EQ(t["tool_call_id"], "call_1");
}

TEST(MessageJsonTest, AcceptsContentPartsAndObjectArguments) {
  auto m = MessageFromJson(json::parse(R"({"role":"user","content":[{"type":"text","text":"a"},
      {"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"b"}]})"));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->content, "ab");
  auto a = MessageFromJson(json::parse(
      R"({"role":"assistant","content":null,"tool_calls":[{"id":"c","function":{"name":"f","arguments":{"x":1}}}]})"));
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->tool_calls[0].arguments, R"({"x":1})");
}

TEST(MessageJsonTest, BadInputIsAStatusNotAnException) {
  auto unknown_role = MessageFromJson(json::parse(R"({"role":"wizard","content":"x"})"));
  ASSERT_FALSE(unknown_role.ok());
  EXPECT_NE(unknown_role.status().message().find("wizard"), std::string::npos);
  EXPECT_FALSE(MessageFromJson(json::parse(R"({"content":"x"})")).ok());
  EXPECT_FALSE(MessageFromJson(json::parse(R"([1,2])")).ok());
}

TEST(UsageTest, AddsTokensAndKeepsCostOnlyWhileKnown) {
  Usage a{100, 20, 50, 0.001};
  Usage b{10, 2, 0, 0.0002};
  a += b;
  EXPECT_EQ(a.prompt_tokens, 110);
  EXPECT_EQ(a.completion_tokens, 22);
  EXPECT_EQ(a.cached_tokens, 50);
  EXPECT_EQ(a.total_tokens(), 132);
  ASSERT_TRUE(a.cost_usd.has_value());
  EXPECT_NEAR(*a.cost_usd, 0.0012, 1e-12);
  a += Usage{1, 1, 0, std::nullopt};
  EXPECT_FALSE(a.cost_usd.has_value());
}

TEST(UsageTest, JsonRoundTripIncludingCachedTokens) {
  Usage u{120, 14, 64, 0.5};
  json j = u;
  EXPECT_EQ(j["total_tokens"], 134);
  EXPECT_EQ(j["prompt_tokens_details"]["cached_tokens"], 64);
  EXPECT_EQ(*UsageFromJson(j), u);
  Usage unpriced{1, 2, 0, std::nullopt};
  EXPECT_EQ(*UsageFromJson(json(unpriced)), unpriced);
}

}  // namespace
}  // namespace reagent
