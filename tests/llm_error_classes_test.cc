// Every error class of the taxonomy, produced by the real mock server and classified by the
// real client from status, headers and body.
#include "llm_loopback_fixture.h"

namespace reagent::testing {
namespace {

using mockllm::MockLlmOptions;

ModelError OneError(MockLlmOptions options, OpenAIChatModelOptions client = {}) {
  Loopback lb = StartLoopback(std::move(options), std::move(client));
  ChatResult r = lb.model->Complete(Ask("q"));
  EXPECT_FALSE(r.ok());
  return r.ok() ? ModelError{} : r.error();
}

ModelError Scripted(const char* error_json) {
  return OneError({.script = nlohmann::json::array({{{"error", nlohmann::json::parse(error_json)}}})});
}

TEST(ModelErrorClasses, RateLimitedCarriesRetryAfterFromTheHeaders) {
  ModelError e = Scripted(R"({"status": 429, "code": "rate_limit_exceeded", "retry_after": 2})");
  EXPECT_EQ(e.kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(e.code, "rate_limit_exceeded");
  EXPECT_DOUBLE_EQ(*e.retry_after_s, 2.0);  // retry-after-ms: 2000
  EXPECT_TRUE(e.retryable());
}

TEST(ModelErrorClasses, QuotaExhaustedIsNotRetryable) {
  ModelError e = Scripted(R"({"status": 429, "code": "insufficient_quota"})");
  EXPECT_EQ(e.kind, ModelErrorKind::kQuotaExhausted);
  EXPECT_FALSE(e.retryable());
  ModelError flag = OneError({.quota_exhausted = true});
  EXPECT_EQ(flag.kind, ModelErrorKind::kQuotaExhausted);
  EXPECT_EQ(flag.code, "insufficient_quota");
}

TEST(ModelErrorClasses, AuthBadRequestNotFound) {
  EXPECT_EQ(Scripted(R"({"status": 401, "code": "invalid_api_key"})").kind, ModelErrorKind::kAuth);
  EXPECT_EQ(Scripted(R"({"status": 403})").kind, ModelErrorKind::kAuth);
  EXPECT_EQ(Scripted(R"({"status": 400, "message": "Invalid 'temperature'"})").kind, ModelErrorKind::kBadRequest);
  EXPECT_EQ(Scripted(R"({"status": 404, "code": "model_not_found"})").kind, ModelErrorKind::kNotFound);
  EXPECT_EQ(OneError({.require_key = "sk-required-key-1234567890"}).kind, ModelErrorKind::kAuth);
}

TEST(ModelErrorClasses, ContextLengthByCodeAndByDeepSeekMessage) {
  EXPECT_EQ(Scripted(R"({"status": 400, "code": "context_length_exceeded"})").kind,
            ModelErrorKind::kContextLengthExceeded);
  ModelError deepseek = Scripted(R"({"status": 400, "code": "invalid_request_error",
      "message": "This model's maximum context length is 65536 tokens. However, you requested 70000 tokens."})");
  EXPECT_EQ(deepseek.kind, ModelErrorKind::kContextLengthExceeded);
  EXPECT_FALSE(deepseek.retryable());
}

TEST(ModelErrorClasses, ContentFilter) {
  EXPECT_EQ(Scripted(R"({"status": 400, "code": "content_filter"})").kind, ModelErrorKind::kContentFilter);
}

TEST(ModelErrorClasses, ServerErrorsAndOverload) {
  EXPECT_EQ(Scripted(R"({"status": 500})").kind, ModelErrorKind::kServerError);
  EXPECT_EQ(Scripted(R"({"status": 503})").kind, ModelErrorKind::kOverloaded);
  EXPECT_EQ(Scripted(R"({"status": 529})").kind, ModelErrorKind::kOverloaded);
}

TEST(ModelErrorClasses, InjectedFailuresAreServerSideAndRetryable) {
  Loopback lb = StartLoopback({.fail_rate = 1.0, .seed = 7});
  bool saw_html = false;
  for (int i = 0; i < 12; ++i) {
    ChatResult r = lb.model->Complete(Ask("q"));
    ASSERT_FALSE(r.ok());
    const ModelError& e = r.error();
    EXPECT_TRUE(e.http_status == 500 || e.http_status == 502 || e.http_status == 503) << e.ToString();
    EXPECT_EQ(e.kind, e.http_status == 503 ? ModelErrorKind::kOverloaded : ModelErrorKind::kServerError);
    EXPECT_TRUE(e.retryable());
    saw_html |= e.message.rfind("<html>", 0) == 0;
  }
  EXPECT_TRUE(saw_html);  // the 502 proxy page is not JSON and still classified
  EXPECT_EQ(lb.server->counters().injected_failures, 12);
}

TEST(ModelErrorClasses, RpmWindowAnswers429WithRetryAfterAndHeadersLikeTheRealApi) {
  ManualClock server_clock;
  Loopback lb = StartLoopback({.rpm = 2, .clock = &server_clock});
  ASSERT_TRUE(lb.model->Complete(Ask("q")).ok());
  server_clock.Advance(Seconds(15));
  ASSERT_TRUE(lb.model->Complete(Ask("q")).ok());
  server_clock.Advance(Seconds(15));
  ChatResult limited = lb.model->Complete(Ask("q"));
  ASSERT_FALSE(limited.ok());
  const ModelError& e = limited.error();
  EXPECT_EQ(e.kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(e.code, "rate_limit_exceeded");
  EXPECT_DOUBLE_EQ(*e.retry_after_s, 30.0);  // the first request leaves the window at t=60
  EXPECT_EQ(e.rate_limit.limit_requests, 2);
  EXPECT_EQ(e.rate_limit.remaining_requests, 0);
  EXPECT_DOUBLE_EQ(*e.rate_limit.reset_requests_s, 30.0);
  EXPECT_NE(e.message.find("Rate limit reached for gpt-4.1"), std::string::npos);
  server_clock.Advance(Seconds(30));
  EXPECT_TRUE(lb.model->Complete(Ask("q")).ok());
  EXPECT_EQ(lb.server->counters().rate_limited, 1);
}

TEST(ModelErrorClasses, TpmWindowCountsPromptAndMaxTokens) {
  ManualClock server_clock;
  Loopback lb = StartLoopback({.tpm = 1000, .clock = &server_clock});
  ChatRequest req = Ask("q");
  req.max_tokens = 600;
  ASSERT_TRUE(lb.model->Complete(req).ok());
  ChatResult limited = lb.model->Complete(req);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_DOUBLE_EQ(*limited.error().retry_after_s, 60.0);
  EXPECT_EQ(limited.error().rate_limit.limit_tokens, 1000);
  req.max_tokens = 5000;
  ChatResult too_large = lb.model->Complete(req);
  ASSERT_FALSE(too_large.ok());
  EXPECT_NE(too_large.error().message.find("Request too large"), std::string::npos);
}

TEST(ModelErrorClasses, OutageWindowAnswers503ThenRecovers) {
  ManualClock server_clock;
  Loopback lb = StartLoopback({.outage = std::pair{10.0, 20.0}, .clock = &server_clock});
  EXPECT_TRUE(lb.model->Complete(Ask("q")).ok());
  server_clock.Advance(Seconds(12));
  ChatResult down = lb.model->Complete(Ask("q"));
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().kind, ModelErrorKind::kOverloaded);
  EXPECT_EQ(down.error().http_status, 503);
  server_clock.Advance(Seconds(8));
  EXPECT_TRUE(lb.model->Complete(Ask("q")).ok());
  EXPECT_EQ(lb.server->counters().outage, 1);
}

TEST(ModelErrorClasses, ExhaustedServerScriptIsAServerError) {
  Loopback lb = StartLoopback({.script = Script("[]")});
  ChatResult r = lb.model->Complete(Ask("q"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "script_exhausted");
  EXPECT_EQ(r.error().message, "script exhausted for model gpt-4.1");
}

TEST(ModelErrorClasses, StreamedRequestsGetTheSameErrors) {
  Loopback lb = StartLoopback({.script = Script(R"([{"error": {"status": 429, "retry_after": 3}}])")});
  ChatResult r = lb.model->Stream(Ask("q"), {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ModelErrorKind::kRateLimited);
  EXPECT_DOUBLE_EQ(*r.error().retry_after_s, 3.0);
}

}  // namespace
}  // namespace reagent::testing
