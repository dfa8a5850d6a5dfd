#include "reagent/tokenizer/token_counter.h"

#include <gtest/gtest.h>

#include "reagent/tokenizer/script_estimator.h"

namespace reagent {
namespace {

TEST(TokenCounterTest, KnownModelsMapToTheirEncodings) {
  EXPECT_EQ(EncodingForModel("gpt-4o"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("gpt-4o-mini-2024-07-18"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("gpt-4.1-nano"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("gpt-5"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("o1"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("o3-mini"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("o4-mini-2025-04-16"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("openai/gpt-4.1"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("ft:gpt-4o-mini:acme::abc123"), Encoding::kO200kBase);
  EXPECT_EQ(EncodingForModel("gpt-4"), Encoding::kCl100kBase);
  EXPECT_EQ(EncodingForModel("gpt-4-turbo-2024-04-09"), Encoding::kCl100kBase);
  EXPECT_EQ(EncodingForModel("gpt-3.5-turbo"), Encoding::kCl100kBase);
  EXPECT_EQ(EncodingForModel("text-embedding-3-small"), Encoding::kCl100kBase);
}

TEST(TokenCounterTest, UnknownModelsAreEstimated) {
  EXPECT_EQ(EncodingForModel("claude-sonnet-4-5"), std::nullopt);
  EXPECT_EQ(EncodingForModel("o10"), std::nullopt);
  EXPECT_EQ(EncodingForModel("gpt-4omni"), std::nullopt);
  TokenCounter counter = TokenCounter::ForModel("llama-3.1-70b");
  EXPECT_FALSE(counter.exact());
  EXPECT_EQ(counter.encoding(), std::nullopt);
  EXPECT_EQ(counter.Count("Xin chào thế giới"), EstimateTokens("Xin chào thế giới"));
}

TEST(TokenCounterTest, ExactCounterCountsLikeTheTokenizer) {
  TokenCounter counter = TokenCounter::ForModel("gpt-4o");
  ASSERT_TRUE(counter.exact());
  EXPECT_EQ(counter.Count("hello world"), 2);
  EXPECT_EQ(counter.Count(""), 0);
}

// OpenAI cookbook "How to count tokens with tiktoken": the API reported 129 prompt tokens for
// these messages on gpt-4/gpt-3.5-turbo and 124 on gpt-4o/gpt-4o-mini.
std::vector<Message> CookbookMessages() {
  auto named = [](std::string name, std::string text) {
    Message m = Message::System(std::move(text));
    m.name = std::move(name);
    return m;
  };
  return {
      Message::System("You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
      named("example_user", "New synergies will help drive top-line growth."),
      named("example_assistant", "Things working well together will increase revenue."),
      named("example_user", "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."),
      named("example_assistant", "Let's talk later when we're less busy about how to do better."),
      Message::User("This late pivot means we don't have time to boil the ocean for the client deliverable."),
  };
}

TEST(TokenCounterTest, MessagesCountMatchesWhatTheApiReported) {
  EXPECT_EQ(TokenCounter::ForModel("gpt-4").CountMessages(CookbookMessages()), 129);
  EXPECT_EQ(TokenCounter::ForModel("gpt-4o").CountMessages(CookbookMessages()), 124);
}

// The cookbook's tool example: the API reported 101 prompt tokens on gpt-4o and 105 on
// gpt-4 / gpt-3.5-turbo.
TEST(TokenCounterTest, ToolSchemasCountMatchesWhatTheApiReported) {
  nlohmann::json tools = nlohmann::json::parse(R"([{
    "type": "function",
    "function": {
      "name": "get_current_weather",
      "description": "Get the current weather in a given location",
      "parameters": {
        "type": "object",
        "properties": {
          "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
          "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}
        },
        "required": ["location"]
      }
    }
  }])");
  std::vector<Message> messages = {
      Message::System("You are a helpful assistant that can answer to questions about the weather."),
      Message::User("What's the weather like in San Francisco?"),
  };
  EXPECT_EQ(TokenCounter::ForModel("gpt-4o").CountMessages(messages, tools), 101);
  EXPECT_EQ(TokenCounter::ForModel("gpt-4").CountMessages(messages, tools), 105);
}

TEST(TokenCounterTest, ToolCallsAndNonStandardToolsAddTokens) {
  TokenCounter counter = TokenCounter::ForModel("gpt-4o");
  std::vector<Message> plain = {Message::Assistant("")};
  std::vector<Message> with_call = {Message::Assistant("", {{"call_1", "search", R"({"q":"phở"})"}})};
  EXPECT_EQ(counter.CountMessages(with_call) - counter.CountMessages(plain),
            3 + counter.Count("search") + counter.Count(R"({"q":"phở"})"));
  nlohmann::json odd = {{"not", "an array"}};
  EXPECT_EQ(counter.CountMessages(plain, odd) - counter.CountMessages(plain), counter.Count(R"({"not":"an array"})"));
  EXPECT_EQ(counter.CountMessages(plain, nlohmann::json::array()), counter.CountMessages(plain));
}

TEST(TokenCounterTest, EstimatorCountsVietnameseFarAboveCharsOverFour) {
  std::string vietnamese = "Mô hình ngôn ngữ lớn cần được giới hạn ngân sách token để tránh chi phí vượt mức.";
  int64_t exact = TokenCounter::ForModel("gpt-4").Count(vietnamese);
  int64_t estimate = EstimateTokens(vietnamese);
  EXPECT_GT(estimate, static_cast<int64_t>(vietnamese.size() / 4));
  EXPECT_NEAR(static_cast<double>(estimate), static_cast<double>(exact), 0.25 * static_cast<double>(exact));
  EXPECT_EQ(EstimateTokens(""), 0);
  EXPECT_EQ(EstimateTokens("\xff\xfe"), 2);
}

}  // namespace
}  // namespace reagent
