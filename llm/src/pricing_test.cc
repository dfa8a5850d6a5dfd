#include "reagent/llm/pricing.h"

#include <gtest/gtest.h>

namespace reagent {
namespace {

Usage MakeUsage(int64_t prompt, int64_t completion, int64_t cached = 0) {
  Usage u;
  u.prompt_tokens = prompt;
  u.completion_tokens = completion;
  u.cached_tokens = cached;
  return u;
}

TEST(Pricing, BuiltInTableCoversTheCommonModels) {
  for (const char* m : {"gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini",
                        "o4-mini", "claude-sonnet-4.5", "gemini-2.5-flash", "deepseek-chat"}) {
    EXPECT_TRUE(PriceTable::BuiltIn().Find(m).has_value()) << m;
    EXPECT_TRUE(ContextWindow(m).has_value()) << m;
  }
}

TEST(Pricing, CostOfAMillionTokensEachIsTheSumOfListPrices) {
  EXPECT_DOUBLE_EQ(*Cost("gpt-4.1", MakeUsage(1'000'000, 1'000'000)), 10.0);
  EXPECT_DOUBLE_EQ(*Cost("claude-sonnet-4.5", MakeUsage(0, 1'000'000)), 15.0);
  EXPECT_DOUBLE_EQ(*Cost("gemini-2.5-flash", MakeUsage(0, 1'000'000)), 2.5);
  EXPECT_DOUBLE_EQ(*Cost("deepseek-chat", MakeUsage(0, 1'000'000)), 0.42);
}

TEST(Pricing, CachedTokensAreChargedAtTheCachedPrice) {
  // 1000 prompt tokens of which 400 cached: 600 * 2.00 + 400 * 0.50 = 1400 per million.
  EXPECT_DOUBLE_EQ(*Cost("gpt-4.1", MakeUsage(1000, 0, 400)), 0.0014);
}

TEST(Pricing, UnknownModelIsUnpricedNotFree) {
  EXPECT_FALSE(Cost("my-local-llama", MakeUsage(100, 100)).has_value());
  EXPECT_FALSE(ContextWindow("my-local-llama").has_value());
}

TEST(Pricing, ProviderNamesResolveToTheirBaseModel) {
  const PriceTable& t = PriceTable::BuiltIn();
  EXPECT_EQ(t.Find("gpt-4.1-2025-04-14"), t.Find("gpt-4.1"));
  EXPECT_EQ(t.Find("openai/gpt-4.1-mini"), t.Find("gpt-4.1-mini"));
  EXPECT_EQ(t.Find("claude-sonnet-4-5-20250929"), t.Find("claude-sonnet-4.5"));
  EXPECT_EQ(t.Find("GPT-4o-mini"), t.Find("gpt-4o-mini"));
  // A longer name that is not a snapshot is a different model.
  EXPECT_NE(t.Find("gpt-4.1-mini"), t.Find("gpt-4.1"));
  EXPECT_FALSE(t.Find("gpt-4.1-turbo-custom").has_value());
}

TEST(Pricing, OverridesReplaceAndAddModels) {
  PriceTable t;
  ASSERT_TRUE(t.ApplyOverrides(nlohmann::json::parse(
                  R"({"gpt-4.1": {"output": 4.0}, "local-llama": {"input": 0.1, "output": 0.2}})"))
                  .ok());
  EXPECT_DOUBLE_EQ(t.Find("gpt-4.1")->output_per_mtok, 4.0);
  EXPECT_DOUBLE_EQ(t.Find("gpt-4.1")->input_per_mtok, 2.0);
  EXPECT_DOUBLE_EQ(t.Find("local-llama")->cached_input_per_mtok, 0.1);
  EXPECT_DOUBLE_EQ(*t.Cost("local-llama", MakeUsage(1'000'000, 1'000'000)), 0.3);
}

TEST(Pricing, BadOverridesNameTheFieldAndChangeNothing) {
  PriceTable t;
  Status s = t.ApplyOverrides(nlohmann::json::parse(
      R"({"new-model": {"input": 1.0}, "gpt-4.1": {"output": "cheap"}})"));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("pricing.gpt-4.1.output"), std::string::npos) << s.message();
  EXPECT_FALSE(t.Find("new-model").has_value());
  Status unknown = t.ApplyOverrides(nlohmann::json::parse(R"({"gpt-4.1": {"outptu": 1}})"));
  EXPECT_NE(unknown.message().find("unknown field"), std::string::npos);
  EXPECT_FALSE(t.ApplyOverrides(nlohmann::json::array()).ok());
}

TEST(Pricing, EmptyTablePricesNothing) {
  EXPECT_FALSE(PriceTable::Empty().Cost("gpt-4.1", MakeUsage(1, 1)).has_value());
}

}  // namespace
}  // namespace reagent
