#include "reagent/llm/openai_wire.h"

#include <gtest/gtest.h>

#include "reagent/llm/sse_parser.h"

namespace reagent {
namespace {

using nlohmann::json;

TEST(WireRequest, CarriesEveryRequestField) {
  ChatRequest r;
  r.messages = {Message::System("sys"), Message::User("hi"),
                Message::Assistant("", {{"call_1", "calculator", "{\"e\":\"1+1\"}"}}),
                Message::Tool("call_1", "calculator", "2")};
  r.tools.push_back({"calculator", "Evaluates arithmetic", json{{"type", "object"}}});
  r.tool_choice = "auto";
  r.temperature = 0.2;
  r.max_tokens = 256;
  r.stop = {"Observation:"};
  r.response_format = {{"type", "json_object"}};
  json body = BuildChatRequestBody(r, "gpt-4.1", true);
  EXPECT_EQ(body["model"], "gpt-4.1");
  EXPECT_EQ(body["messages"].size(), 4u);
  EXPECT_TRUE(body["messages"][2]["content"].is_null());
  EXPECT_EQ(body["messages"][2]["tool_calls"][0]["function"]["name"], "calculator");
  EXPECT_EQ(body["messages"][3]["tool_call_id"], "call_1");
  EXPECT_FALSE(body["messages"][3].contains("name"));
  EXPECT_EQ(body["tools"][0]["type"], "function");
  EXPECT_EQ(body["tools"][0]["function"]["description"], "Evaluates arithmetic");
  EXPECT_EQ(body["tool_choice"], "auto");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.2);
  EXPECT_EQ(body["max_tokens"], 256);
  EXPECT_EQ(body["stop"][0], "Observation:");
  EXPECT_EQ(body["response_format"]["type"], "json_object");
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
}

TEST(WireRequest, OmitsUnsetFieldsAndHonoursTheMaxTokensFieldName) {
  ChatRequest r;
  r.model = "o4-mini";
  r.max_tokens = 10;
  json body = BuildChatRequestBody(r, "gpt-4.1", false, {.max_tokens_field = "max_completion_tokens"});
  EXPECT_EQ(body["model"], "o4-mini");
  EXPECT_EQ(body["max_completion_tokens"], 10);
  for (const char* k : {"tools", "tool_choice", "temperature", "stop", "response_format", "stream",
                        "stream_options", "max_tokens"}) {
    EXPECT_FALSE(body.contains(k)) << k;
  }
}

TEST(WireResponse, ParsesContentToolCallsAndUsage) {
  auto r = ParseChatResponse(R"({"id":"chatcmpl-1","model":"gpt-4.1-2025-04-14","choices":[{"index":0,
    "message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_a","type":"function",
    "function":{"name":"calculator","arguments":"{\"expression\":\"2+2\"}"}}]},"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":50,"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":32}}})", "gpt-4.1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->id, "chatcmpl-1");
  EXPECT_EQ(r->model, "gpt-4.1-2025-04-14");
  EXPECT_EQ(r->content, "");
  ASSERT_EQ(r->tool_calls.size(), 1u);
  EXPECT_EQ(r->tool_calls[0], (ToolCall{"call_a", "calculator", "{\"expression\":\"2+2\"}"}));
  EXPECT_EQ(r->finish_reason, "tool_calls");
  EXPECT_EQ(r->usage.prompt_tokens, 50);
  EXPECT_EQ(r->usage.completion_tokens, 7);
  EXPECT_EQ(r->usage.cached_tokens, 32);
}

TEST(WireResponse, AcceptsOllamaObjectArgumentsAndMissingIds) {
  auto r = ParseChatResponse(R"({"choices":[{"message":{"role":"assistant","content":"",
    "tool_calls":[{"function":{"name":"calculator","arguments":{"expression":"2+2"}}}]},"finish_reason":"stop"}]})", "m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tool_calls[0], (ToolCall{"call_0", "calculator", R"({"expression":"2+2"})"}));
  EXPECT_EQ(r->model, "m");
}

TEST(WireResponse, ReadsDeepSeekCacheHitTokens) {
  Usage u = ParseWireUsage(json::parse(R"({"prompt_tokens":100,"completion_tokens":5,"prompt_cache_hit_tokens":64})"));
  EXPECT_EQ(u.cached_tokens, 64);
}

TEST(WireResponse, UsageOutsideTheTrustedRangeCountsAsUnreported) {
  for (const char* usage : {R"({"prompt_tokens":-1000005,"completion_tokens":5})",
                            R"({"prompt_tokens":10,"completion_tokens":9223372036854775807})",
                            R"({"prompt_tokens":18446744073709551615,"completion_tokens":1})",
                            R"({"prompt_tokens":1.5e300,"completion_tokens":1})",
                            R"({"prompt_tokens":"12","completion_tokens":1})"}) {
    EXPECT_EQ(ParseWireUsage(json::parse(usage)), Usage{}) << usage;
  }
  Usage in_range = ParseWireUsage(json::parse(R"({"prompt_tokens":100000000,"completion_tokens":0})"));
  EXPECT_EQ(in_range.prompt_tokens, kMaxReportedTokens);
}

TEST(WireResponse, CachedTokensNeverExceedThePrompt) {
  Usage u = ParseWireUsage(json::parse(R"({"prompt_tokens":10,"completion_tokens":5,
    "prompt_tokens_details":{"cached_tokens":5000}})"));
  EXPECT_EQ(u.cached_tokens, 10);
}

TEST(WireResponse, MalformedBodiesAreMalformedResponse) {
  for (const char* body : {"", "{", "[]", "{\"choices\":[]}", "{\"choices\":[{\"text\":\"x\"}]}",
                           "{\"choices\":[{\"message\":{\"tool_calls\":[{\"function\":{}}]}}]}"}) {
    auto r = ParseChatResponse(body, "m");
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.error().kind, ModelErrorKind::kMalformedResponse) << body;
  }
}

TEST(WireResponse, ErrorInsideA200IsTheProvidersError) {
  auto r = ParseChatResponse(R"({"error":{"message":"Upstream rate limit","code":429}})", "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kRateLimited);
}

TEST(WireResponse, FilteredEmptyReplyIsContentFilter) {
  auto r = ParseChatResponse(R"({"choices":[{"message":{"role":"assistant","content":null},"finish_reason":"content_filter"}]})", "m");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kContentFilter);
}

// A stream as OpenAI sends it: role chunk, content pieces, two tool calls fragmented by index,
// a finish chunk, the include_usage chunk and [DONE].
const char* const kStream =
    "data: {\"id\":\"chatcmpl-9\",\"model\":\"gpt-4.1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n"
    "data: {\"id\":\"chatcmpl-9\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let me \"}}]}\n\n"
    ": keep-alive\n\n"
    "data: {\"id\":\"chatcmpl-9\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"comp\xC3\xBCte.\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_a\",\"type\":\"function\",\"function\":{\"name\":\"calculator\",\"arguments\":\"\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"expr\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"call_b\",\"function\":{\"name\":\"search\",\"arguments\":\"{\\\"q\\\":\\\"x\\\"}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ession\\\":\\\"2+2\\\"}\"}}]}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":9,\"total_tokens\":29}}\n\n"
    "data: [DONE]\n\n";

struct Assembled {
  ChatResponse response;
  std::string streamed_text;
  bool done = false;
};

Assembled AssembleInPieces(std::string_view stream, const std::vector<size_t>& cuts) {
  Assembled out;
  StreamAssembler assembler("gpt-4.1");
  SseParser parser([&](const SseEvent& e) {
    if (e.data == "[DONE]") { out.done = true; return true; }
    auto err = assembler.Apply(e.data, [&](const ChatDelta& d) { out.streamed_text += d.content; });
    EXPECT_FALSE(err.has_value()) << err->message;
    return true;
  });
  size_t pos = 0;
  for (size_t cut : cuts) {
    parser.Feed(stream.substr(pos, cut - pos));
    pos = cut;
  }
  parser.Feed(stream.substr(pos));
  out.response = assembler.Take();
  return out;
}

void ExpectAssembledStream(const Assembled& a) {
  EXPECT_TRUE(a.done);
  EXPECT_EQ(a.response.id, "chatcmpl-9");
  EXPECT_EQ(a.response.content, "Let me comp\xC3\xBCte.");
  EXPECT_EQ(a.streamed_text, a.response.content);
  ASSERT_EQ(a.response.tool_calls.size(), 2u);
  EXPECT_EQ(a.response.tool_calls[0], (ToolCall{"call_a", "calculator", "{\"expression\":\"2+2\"}"}));
  EXPECT_EQ(a.response.tool_calls[1], (ToolCall{"call_b", "search", "{\"q\":\"x\"}"}));
  EXPECT_EQ(a.response.finish_reason, "tool_calls");
  EXPECT_EQ(a.response.usage.prompt_tokens, 20);
  EXPECT_EQ(a.response.usage.completion_tokens, 9);
}

TEST(StreamAssembler, AssemblesContentToolCallsByIndexAndUsage) {
  ExpectAssembledStream(AssembleInPieces(kStream, {}));
}

TEST(StreamAssembler, SameResultWhenSplitAtEveryBytePosition) {
  std::string_view stream(kStream);
  for (size_t cut = 1; cut < stream.size(); ++cut) {
    SCOPED_TRACE("split at byte " + std::to_string(cut));
    ExpectAssembledStream(AssembleInPieces(stream, {cut}));
  }
}

TEST(StreamAssembler, SameResultWhenFedOneByteAtATime) {
  std::string_view stream(kStream);
  std::vector<size_t> cuts;
  for (size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
  ExpectAssembledStream(AssembleInPieces(stream, cuts));
}

TEST(StreamAssembler, RepeatedNamesAndMissingIndexContinueTheSameCall) {
  StreamAssembler a("m");
  ASSERT_FALSE(a.Apply(R"({"choices":[{"delta":{"tool_calls":[{"id":"c1","function":{"name":"calc","arguments":"{\"a\""}}]}}]})", {}));
  ASSERT_FALSE(a.Apply(R"({"choices":[{"delta":{"tool_calls":[{"id":"c1","function":{"name":"calc","arguments":":1}"}}]}}]})", {}));
  ChatResponse r = a.Take();
  ASSERT_EQ(r.tool_calls.size(), 1u);
  EXPECT_EQ(r.tool_calls[0], (ToolCall{"c1", "calc", "{\"a\":1}"}));
}

TEST(StreamAssembler, ReasoningContentIsNotMixedIntoTheReply) {
  StreamAssembler a("deepseek-reasoner");
  ASSERT_FALSE(a.Apply(R"({"choices":[{"index":0,"delta":{"reasoning_content":"hmm","content":null}}]})", {}));
  ASSERT_FALSE(a.Apply(R"({"choices":[{"index":0,"delta":{"content":"42"},"finish_reason":"stop"}],"usage":null})", {}));
  EXPECT_TRUE(a.finished());
  EXPECT_FALSE(a.has_usage());
  EXPECT_EQ(a.Take().content, "42");
}

TEST(StreamAssembler, ToolCallIndexOutOfRangeIsMalformed) {
  for (const char* index : {"-1", "4294967296", "18446744073709551615", "70000"}) {
    StreamAssembler a("m");
    const std::string chunk = std::string(R"({"choices":[{"delta":{"tool_calls":[{"index":)") + index +
                              R"(,"function":{"name":"x","arguments":"{}"}}]}}]})";
    auto error = a.Apply(chunk, {});
    ASSERT_TRUE(error) << index;
    EXPECT_EQ(error->kind, ModelErrorKind::kMalformedResponse) << index;
  }
}

TEST(StreamAssembler, ErrorChunkAndInvalidJsonAreErrors) {
  StreamAssembler a("m");
  auto err = a.Apply(R"({"error":{"message":"overloaded","type":"server_error"}})", {});
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->kind, ModelErrorKind::kServerError);
  auto bad = a.Apply("{not json", {});
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->kind, ModelErrorKind::kMalformedResponse);
}

}  // namespace
}  // namespace reagent
