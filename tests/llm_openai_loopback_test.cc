// The real OpenAI client against the real mock server on a loopback port: plain and streamed
// replies, tool calls, timeouts, cancellation, split SSE, huge and malformed bodies.
#include <atomic>
#include <thread>

#include "llm_loopback_fixture.h"

namespace reagent::testing {
namespace {

using mockllm::MockLlmOptions;

TEST(OpenAIChatModelLoopback, PlainCompletionReturnsContentUsageAndIds) {
  Loopback lb = StartLoopback({.script = Script(R"([{"content": "Hello from the script",
                                                     "usage": {"prompt_tokens": 12, "completion_tokens": 5}}])")});
  ChatResult r = lb.model->Complete(Ask("hi"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->content, "Hello from the script");
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(r->model, "gpt-4.1");
  EXPECT_EQ(r->id.rfind("chatcmpl-", 0), 0u);
  EXPECT_EQ(r->usage.prompt_tokens, 12);
  EXPECT_EQ(r->usage.completion_tokens, 5);
  EXPECT_EQ(lb.server->counters().ok, 1);
}

TEST(OpenAIChatModelLoopback, ReActDemoUsesTheCalculatorThenAnswers) {
  Loopback lb = StartLoopback({});
  ChatRequest first;
  first.messages = {Message::System("You can use the calculator tool."), Message::User("What is 17*23?")};
  ChatResult step = lb.model->Complete(first);
  ASSERT_TRUE(step.ok()) << step.error().ToString();
  EXPECT_EQ(step->content, "Thought: I need to compute 17*23.\nAction: calculator\nAction Input: 17*23");
  ChatRequest second = first;
  second.messages.push_back(Message::Assistant(step->content));
  second.messages.push_back(Message::User("Observation: 391"));
  ChatResult answer = lb.model->Complete(second);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->content, "Thought: I now know the final answer.\nFinal Answer: 391");
  EXPECT_GT(answer->usage.prompt_tokens, 0);
}

TEST(OpenAIChatModelLoopback, StreamingDeliversDeltasThatAddUpToTheReplyWithUsage) {
  Loopback lb = StartLoopback({.script = Script(R"([{"content": "Thought: streaming works.\nFinal Answer: yes, in pieces",
                                                     "usage": {"prompt_tokens": 30, "completion_tokens": 11}}])"),
                               .stream_chunk_chars = 3});
  std::string streamed;
  int deltas = 0;
  ChatResult r = lb.model->Stream(Ask("q"), [&](const ChatDelta& d) {
    streamed += d.content;
    ++deltas;
  });
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->content, "Thought: streaming works.\nFinal Answer: yes, in pieces");
  EXPECT_EQ(streamed, r->content);
  EXPECT_EQ(deltas, 18);  // 53 characters in pieces of 3
  EXPECT_EQ(r->usage.prompt_tokens, 30);
  EXPECT_EQ(r->usage.completion_tokens, 11);
  EXPECT_EQ(r->finish_reason, "stop");
  EXPECT_EQ(lb.server->counters().streamed, 1);
}

TEST(OpenAIChatModelLoopback, NativeToolCallsArriveWholeAndStreamed) {
  Loopback lb = StartLoopback({});
  ChatRequest req = Ask("What is 6*7?");
  req.tools.push_back({"calculator", "Evaluates arithmetic",
                       nlohmann::json::parse(R"({"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]})")});
  ChatResult whole = lb.model->Complete(req);
  ASSERT_TRUE(whole.ok()) << whole.error().ToString();
  ASSERT_EQ(whole->tool_calls.size(), 1u);
  EXPECT_EQ(whole->tool_calls[0].name, "calculator");
  EXPECT_EQ(whole->tool_calls[0].arguments, R"({"expression":"6*7"})");
  EXPECT_EQ(whole->tool_calls[0].id.rfind("call_", 0), 0u);
  EXPECT_EQ(whole->finish_reason, "tool_calls");

  std::string streamed_args;
  ChatResult streamed = lb.model->Stream(req, [&](const ChatDelta& d) { streamed_args += d.tool_arguments; });
  ASSERT_TRUE(streamed.ok()) << streamed.error().ToString();
  ASSERT_EQ(streamed->tool_calls.size(), 1u);
  EXPECT_EQ(streamed->tool_calls[0].arguments, R"({"expression":"6*7"})");
  EXPECT_EQ(streamed_args, streamed->tool_calls[0].arguments);

  req.messages.push_back(Message::Assistant("", streamed->tool_calls));
  req.messages.push_back(Message::Tool(streamed->tool_calls[0].id, "calculator", "42"));
  ChatResult answer = lb.model->Complete(req);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->content, "42");
}

TEST(OpenAIChatModelLoopback, SseWrittenInTinyPiecesAssemblesTheSame) {
  const char* script = R"([{"content": "Gr\u00fc\u00dfe, \u4e16\u754c! Split me anywhere.",
                            "tool_calls": [{"name": "search", "arguments": {"q": "a \"quoted\" query"}}]}])";
  for (size_t piece : {1u, 2u, 3u, 5u, 7u, 13u, 64u}) {
    SCOPED_TRACE("write size " + std::to_string(piece));
    Loopback lb = StartLoopback({.script = Script(script), .stream_chunk_chars = 2, .sse_write_bytes = piece});
    std::string streamed;
    ChatResult r = lb.model->Stream(Ask("q"), [&](const ChatDelta& d) { streamed += d.content; });
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    EXPECT_EQ(r->content, "Gr\xC3\xBC\xC3\x9F" "e, \xE4\xB8\x96\xE7\x95\x8C! Split me anywhere.");
    EXPECT_EQ(streamed, r->content);
    ASSERT_EQ(r->tool_calls.size(), 1u);
    EXPECT_EQ(r->tool_calls[0].arguments, R"({"q":"a \"quoted\" query"})");
  }
}

TEST(OpenAIChatModelLoopback, StreamWithoutDoneIsAcceptedAfterAFinishReason) {
  Loopback lb = StartLoopback({.script = Script(R"([{"content": "no done marker"}])"), .send_done = false});
  ChatResult r = lb.model->Stream(Ask("q"), {});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->content, "no done marker");
  EXPECT_EQ(r->finish_reason, "stop");
}

TEST(OpenAIChatModelLoopback, SequentialCallsReuseOneConnection) {
  Loopback lb = StartLoopback({});
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(i % 2 ? lb.model->Complete(Ask("hello")).ok() : lb.model->Stream(Ask("hello"), {}).ok());
  }
  EXPECT_EQ(lb.server->counters().requests, 12);
  EXPECT_EQ(lb.server->counters().connections, 1);
}

TEST(OpenAIChatModelLoopback, ConcurrentCallsAllSucceed) {
  Loopback lb = StartLoopback({.latency_ms = 5});
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 4; ++i) ok += lb.model->Complete(Ask("What is 1+1?")).ok() ? 1 : 0;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 24);
  EXPECT_LE(lb.server->counters().connections, 6);
}

TEST(OpenAIChatModelLoopback, RequestTimeoutEndsAHungCall) {
  Loopback lb = StartLoopback({.script = Script(R"([{"timeout": true}])")},
                              {.request_timeout = std::chrono::milliseconds(300)});
  ChatResult r = lb.model->Complete(Ask("q"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kTimeout);
  EXPECT_TRUE(r.error().retryable());
}

TEST(OpenAIChatModelLoopback, PassedDeadlineFailsWithoutSending) {
  ManualClock clock;
  Loopback lb = StartLoopback({}, {.clock = &clock});
  ChatRequest req = Ask("q");
  req.deadline = clock.Now();
  ChatResult r = lb.model->Complete(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kTimeout);
  EXPECT_EQ(lb.server->counters().requests, 0);
}

TEST(OpenAIChatModelLoopback, CancellationMidStreamStopsTheTransfer) {
  Loopback lb = StartLoopback({.script = Script(R"([{"content": "one two three four five six seven eight nine ten"}])"),
                               .stream_chunk_chars = 4, .stream_delay_ms = 200});
  CancellationSource source;
  ChatRequest req = Ask("q");
  req.cancel = source.token();
  std::string streamed;
  ChatResult r = lb.model->Stream(req, [&](const ChatDelta& d) {
    streamed += d.content;
    if (!d.content.empty()) source.Cancel();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kCancelled);
  EXPECT_EQ(streamed, "one ");
}

TEST(OpenAIChatModelLoopback, CancellationFromAnotherThreadWakesABlockedCall) {
  Loopback lb = StartLoopback({.script = Script(R"([{"timeout": true}])")});
  CancellationSource source;
  ChatRequest req = Ask("q");
  req.cancel = source.token();
  std::thread canceller([&] {
    while (lb.server->counters().requests == 0) std::this_thread::yield();
    source.Cancel();
  });
  ChatResult r = lb.model->Complete(req);
  canceller.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kCancelled);
}

TEST(OpenAIChatModelLoopback, AlreadyCancelledRequestIsNotSent) {
  Loopback lb = StartLoopback({});
  CancellationSource source;
  source.Cancel();
  ChatRequest req = Ask("q");
  req.cancel = source.token();
  EXPECT_EQ(lb.model->Complete(req).error().kind, ModelErrorKind::kCancelled);
  EXPECT_EQ(lb.server->counters().requests, 0);
}

TEST(OpenAIChatModelLoopback, HugeReplyArrivesIntact) {
  std::string big(6 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 1000) big[i] = '\n';
  nlohmann::json script = nlohmann::json::array({{{"content", big}}});
  Loopback lb = StartLoopback({.script = script, .stream_chunk_chars = 65536});
  ChatResult whole = lb.model->Complete(Ask("q"));
  ASSERT_TRUE(whole.ok()) << whole.error().ToString();
  EXPECT_EQ(whole->content, big);
}

TEST(OpenAIChatModelLoopback, ReplyAboveTheSizeLimitIsMalformed) {
  nlohmann::json script = nlohmann::json::array({{{"content", std::string(2 << 20, 'y')}}, {{"content", std::string(2 << 20, 'y')}}});
  Loopback lb = StartLoopback({.script = script}, {.max_response_bytes = 1 << 20});
  ChatResult r = lb.model->Complete(Ask("q"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kMalformedResponse);
  EXPECT_EQ(r.error().message, "response larger than 1048576 bytes");
  ChatResult s = lb.model->Stream(Ask("q"), {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ModelErrorKind::kMalformedResponse);
}

TEST(OpenAIChatModelLoopback, GarbageIsMalformedAndACutOffStreamIsATransportFailure) {
  Loopback lb = StartLoopback({.garbage_rate = 1.0});
  ChatResult plain = lb.model->Complete(Ask("q"));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().kind, ModelErrorKind::kMalformedResponse);
  EXPECT_EQ(plain.error().http_status, 200);
  for (int i = 0; i < 6; ++i) {  // both garbage stream shapes: invalid chunk, and cut off
    ChatResult streamed = lb.model->Stream(Ask("q"), {});
    ASSERT_FALSE(streamed.ok());
    const ModelErrorKind kind = streamed.error().kind;
    // An invalid chunk is the reply's fault; a stream that ends before [DONE] is a broken
    // transfer, retried like a reset connection.
    EXPECT_TRUE(kind == ModelErrorKind::kMalformedResponse || kind == ModelErrorKind::kNetwork)
        << streamed.error().ToString();
    if (kind == ModelErrorKind::kNetwork) {
      EXPECT_NE(streamed.error().message.find("before [DONE]"), std::string::npos);
    }
  }
  EXPECT_EQ(lb.server->counters().garbage, 7);
}

TEST(OpenAIChatModelLoopback, RateLimitHeadersOfSuccessfulRepliesAreReported) {
  Loopback lb = StartLoopback({.rpm = 10, .tpm = 100000});
  ChatResult r = lb.model->Complete(Ask("q"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rate_limit.limit_requests, 10);
  EXPECT_EQ(r->rate_limit.remaining_requests, 9);
  EXPECT_EQ(r->rate_limit.limit_tokens, 100000);
  ASSERT_TRUE(r->rate_limit.reset_requests_s.has_value());
}

TEST(OpenAIChatModelLoopback, ApiKeyIsSentAndNeverShownInErrors) {
  const std::string key = "sk-loopback-secret-key-0123456789";
  Loopback good = StartLoopback({.require_key = key}, {.api_key = key});
  EXPECT_TRUE(good.model->Complete(Ask("q")).ok());
  EXPECT_TRUE(good.model->has_api_key());

  Loopback bad = StartLoopback({.require_key = key}, {.api_key = "sk-wrong-secret-key-9876543210"});
  ChatResult r = bad.model->Complete(Ask("q"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kAuth);
  EXPECT_EQ(r.error().http_status, 401);
  EXPECT_EQ(r.error().ToString().find("sk-wrong-secret-key"), std::string::npos);
  EXPECT_EQ(r.error().ToString().find(key), std::string::npos);
}

TEST(OpenAIChatModelLoopback, KeyComesFromTheNamedEnvironmentVariable) {
  const std::string key = "sk-from-env-abcdefghijklmnop";
  setenv("REAGENT_TEST_LOOPBACK_KEY", key.c_str(), 1);
  mockllm::MockLlmServer server({.require_key = key});
  ASSERT_TRUE(server.Start().ok());
  auto model = OpenAIChatModel::Create({.model = "gpt-4.1", .base_url = server.base_url(),
                                        .api_key_env = "REAGENT_TEST_LOOPBACK_KEY"});
  ASSERT_TRUE(model.ok());
  EXPECT_TRUE((*model)->Complete(Ask("q")).ok());
  unsetenv("REAGENT_TEST_LOOPBACK_KEY");
}

TEST(OpenAIChatModelLoopback, NothingListeningIsANetworkError) {
  int port = 0;
  {
    mockllm::MockLlmServer server;
    ASSERT_TRUE(server.Start().ok());
    port = server.port();
  }
  auto model = OpenAIChatModel::Create(
      {.model = "gpt-4.1", .base_url = "http://127.0.0.1:" + std::to_string(port) + "/v1", .api_key = ""});
  ASSERT_TRUE(model.ok());
  ChatResult r = (*model)->Complete(Ask("q"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kNetwork);
  EXPECT_TRUE(r.error().retryable());
}

TEST(OpenAIChatModelLoopback, CreateRejectsBadConfiguration) {
  EXPECT_FALSE(OpenAIChatModel::Create({.model = ""}).ok());
  EXPECT_FALSE(OpenAIChatModel::Create({.model = "m", .base_url = "ftp://example"}).ok());
}

}  // namespace
}  // namespace reagent::testing
