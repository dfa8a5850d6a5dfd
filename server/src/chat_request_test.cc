#include "chat_request.h"

#include <gtest/gtest.h>

#include "untrusted_json.h"

namespace reagent::server {
namespace {

Result<ChatRequest> Parse(const char* text) {
  auto json = ParseUntrustedJson(text, "request body");
  if (!json.ok()) return json.status();
  return ParseChatRequest(*json);
}

TEST(ChatRequestTest, TakesOnlyTheLastUserMessageAsInput) {
  auto r = Parse(R"({"model": "reagent", "stream": true, "stream_options": {"include_usage": true},
      "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "old"},
                   {"role": "assistant", "content": "x"}, {"role": "user", "content": "new question"}],
      "temperature": 0.2, "max_tokens": 10, "user": "whoever"})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->model, "reagent");
  EXPECT_EQ(r->user_text, "new question");
  EXPECT_TRUE(r->stream);
  EXPECT_TRUE(r->include_usage);
  EXPECT_TRUE(r->session_id.empty());
}

TEST(ChatRequestTest, JoinsTextPartsAndRefusesOtherParts) {
  auto r = Parse(R"({"model": "m", "messages": [{"role": "user", "content": [
      {"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->user_text, "a\nb");
  auto image = Parse(R"({"model": "m", "messages": [{"role": "user", "content": [
      {"type": "image_url", "image_url": {"url": "x"}}]}]})");
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("messages[0].content[0].type: only text parts"), std::string::npos);
}

TEST(ChatRequestTest, ReadsTheSessionFromMetadataAndChecksItsShape) {
  auto r = Parse(R"({"model": "m", "metadata": {"session_id": "AbC_-123"}, "messages": [{"role": "user", "content": "q"}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->session_id, "AbC_-123");
  auto bad = Parse(R"({"model": "m", "metadata": {"session_id": "a/b"}, "messages": [{"role": "user", "content": "q"}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("metadata.session_id"), std::string::npos);
}

TEST(ChatRequestTest, EveryRefusalNamesTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([])", "expected a JSON object"},
      {R"({"messages": [{"role": "user", "content": "q"}]})", "model: required"},
      {R"({"model": 3, "messages": [{"role": "user", "content": "q"}]})", "model: expected a non-empty string"},
      {R"({"model": "m"})", "messages: required"},
      {R"({"model": "m", "messages": []})", "messages: expected a non-empty array"},
      {R"({"model": "m", "messages": [7]})", "messages[0]: expected an object, got integer"},
      {R"({"model": "m", "messages": [{"role": "wizard", "content": "q"}]})", "messages[0].role: unknown role"},
      {R"({"model": "m", "messages": [{"role": "user"}]})", "messages[0].content: required"},
      {R"({"model": "m", "messages": [{"role": "user", "content": ""}]})", "messages[0].content: is empty"},
      {R"({"model": "m", "stream": "yes", "messages": [{"role": "user", "content": "q"}]})", "stream: expected true or false"},
      {R"({"model": "m", "n": 2, "messages": [{"role": "user", "content": "q"}]})", "n: only one choice"},
      {R"({"model": "m", "tools": [{}], "messages": [{"role": "user", "content": "q"}]})", "tools: the agent's tools"},
  };
  for (const auto& [body, expected] : cases) {
    auto r = Parse(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_NE(r.status().message().find(expected), std::string::npos) << body << " → " << r.status().message();
  }
}

TEST(UntrustedJsonTest, RefusesDeepNestingOutOfRangeNumbersAndSyntaxErrorsWithWhere) {
  auto deep = ParseUntrustedJson(std::string(65, '[') + std::string(65, ']'), "request body");
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("request body: nesting deeper than 64 levels at byte 64"), std::string::npos)
      << deep.status().message();
  EXPECT_TRUE(ParseUntrustedJson(std::string(64, '[') + std::string(64, ']'), "b").ok());
  // Brackets inside strings do not count.
  EXPECT_TRUE(ParseUntrustedJson("{\"a\": \"" + std::string(1000, '[') + "\\\"\"}", "b").ok());
  auto number = ParseUntrustedJson(R"({"a": [1, {"b": -1e400}]})", "request body");
  ASSERT_FALSE(number.ok());
  EXPECT_NE(number.status().message().find("request body: number out of range"), std::string::npos)
      << number.status().message();
  auto syntax = ParseUntrustedJson(R"({"a": )", "request body");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("request body"), std::string::npos);
}

}  // namespace
}  // namespace reagent::server
