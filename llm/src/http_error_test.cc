#include "reagent/llm/http_error.h"

#include <gtest/gtest.h>

#include "reagent/core/logging.h"

namespace reagent {
namespace {

const WallTime kNow{std::chrono::seconds(1735689600)};

ModelError FromHttp(int status, std::string_view body, HttpHeaders headers = {}) {
  return ModelErrorFromHttp(status, headers, body, "gpt-4.1", kNow);
}

TEST(HttpError, RateLimitCarriesRetryAfterAndHeaders) {
  ModelError e = FromHttp(429,
                          R"({"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}})",
                          {{"retry-after", "2"}, {"x-ratelimit-remaining-requests", "0"}});
  EXPECT_EQ(e.kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(e.code, "rate_limit_exceeded");
  EXPECT_EQ(e.message, "Rate limit reached");
  EXPECT_DOUBLE_EQ(*e.retry_after_s, 2.0);
  EXPECT_EQ(e.rate_limit.remaining_requests, 0);
  EXPECT_TRUE(e.retryable());
}

TEST(HttpError, RateLimitWithoutRetryAfterUsesTheExhaustedWindowsReset) {
  ModelError e = FromHttp(429, "{}", {{"x-ratelimit-remaining-tokens", "0"},
                                      {"x-ratelimit-reset-tokens", "1.5s"},
                                      {"x-ratelimit-reset-requests", "6m0s"},
                                      {"x-ratelimit-remaining-requests", "12"}});
  EXPECT_DOUBLE_EQ(*e.retry_after_s, 1.5);
}

TEST(HttpError, InsufficientQuotaIsNotARateLimit) {
  ModelError e = FromHttp(429, R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}})");
  EXPECT_EQ(e.kind, ModelErrorKind::kQuotaExhausted);
  EXPECT_FALSE(e.retryable());
}

TEST(HttpError, AuthFailures) {
  EXPECT_EQ(FromHttp(401, R"({"error":{"message":"Incorrect API key","code":"invalid_api_key"}})").kind,
            ModelErrorKind::kAuth);
  EXPECT_EQ(FromHttp(403, "forbidden").kind, ModelErrorKind::kAuth);
}

TEST(HttpError, StatusClasses) {
  EXPECT_EQ(FromHttp(400, R"({"error":{"message":"bad"}})").kind, ModelErrorKind::kBadRequest);
  EXPECT_EQ(FromHttp(404, R"({"error":{"message":"The model x does not exist","code":"model_not_found"}})").kind,
            ModelErrorKind::kNotFound);
  EXPECT_EQ(FromHttp(500, "").kind, ModelErrorKind::kServerError);
  EXPECT_EQ(FromHttp(502, "<html>Bad Gateway</html>").kind, ModelErrorKind::kServerError);
  EXPECT_EQ(FromHttp(503, "").kind, ModelErrorKind::kOverloaded);
  EXPECT_EQ(FromHttp(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})").kind,
            ModelErrorKind::kOverloaded);
  EXPECT_EQ(FromHttp(408, "").kind, ModelErrorKind::kTimeout);
  EXPECT_EQ(FromHttp(402, R"({"error":{"message":"Insufficient credits","code":402}})").kind,
            ModelErrorKind::kQuotaExhausted);
  EXPECT_EQ(FromHttp(422, R"({"detail":"field required"})").kind, ModelErrorKind::kBadRequest);
}

TEST(HttpError, ContentFilter) {
  ModelError e = FromHttp(400, R"({"error":{"message":"The response was filtered","code":"content_filter"}})");
  EXPECT_EQ(e.kind, ModelErrorKind::kContentFilter);
}

TEST(HttpError, ContextLengthByCode) {
  EXPECT_EQ(FromHttp(400, R"({"error":{"message":"too long","code":"context_length_exceeded"}})").kind,
            ModelErrorKind::kContextLengthExceeded);
}

TEST(HttpError, ContextLengthAsProvidersPhraseIt) {
  const char* messages[] = {
      "This model's maximum context length is 65536 tokens. However, you requested 70000 tokens "
      "(69000 in the messages, 1000 in the completion). Please reduce the length of the messages "
      "or completion.",                                                               // DeepSeek
      "prompt is too long: 200500 tokens > 200000 maximum",                            // Anthropic
      "the request exceeds the available context size, try increasing it",             // llama.cpp
      "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",  // Gemini
      "Prompt contains 40000 tokens and 0 draft tokens, too large for model with 32768 maximum "
      "context length",                                                                // Mistral
      "Input is too long for requested model.",                                        // Bedrock
      "This endpoint's maximum context length is 8192 tokens.",                        // OpenRouter
  };
  for (const char* m : messages) {
    std::string body = nlohmann::json{{"error", {{"message", m}, {"type", "invalid_request_error"}}}}.dump();
    EXPECT_EQ(FromHttp(400, body).kind, ModelErrorKind::kContextLengthExceeded) << m;
  }
}

TEST(HttpError, OrdinaryBadRequestIsNotContextLength) {
  EXPECT_FALSE(IsContextLengthError("invalid_request_error", "temperature must be <= 2"));
  EXPECT_FALSE(IsContextLengthError("", "Invalid 'messages[0].role'"));
}

TEST(HttpError, AcceptsTheStringErrorShape) {
  ModelError e = FromHttp(500, R"({"error":"model failed to load"})");
  EXPECT_EQ(e.message, "model failed to load");
}

TEST(HttpError, NonJsonBodyBecomesAShortMessage) {
  std::string html = "<html>" + std::string(5000, 'x') + "</html>";
  ModelError e = FromHttp(502, html);
  EXPECT_LT(e.message.size(), 420u);
  EXPECT_EQ(e.message.substr(0, 6), "<html>");
}

TEST(HttpError, AcceptsVllmAndFastApiShapes) {
  ModelError vllm = FromHttp(400, R"({"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens","type":"BadRequestError","param":null,"code":400})");
  EXPECT_EQ(vllm.kind, ModelErrorKind::kContextLengthExceeded);
  EXPECT_EQ(vllm.code, "BadRequestError");
  ModelError fastapi = FromHttp(422, R"({"detail":[{"loc":["body","messages"],"msg":"field required"}]})");
  EXPECT_EQ(fastapi.kind, ModelErrorKind::kBadRequest);
  EXPECT_NE(fastapi.message.find("field required"), std::string::npos);
}

TEST(HttpError, RedirectIsNotRetriedAndNamesTheLocation) {
  for (int status : {301, 302, 307, 308}) {
    ModelError e = ModelErrorFromHttp(status, {{"location", "https://elsewhere.example/v1/chat/completions"}},
                                      "", "m", WallTime{});
    EXPECT_EQ(e.kind, ModelErrorKind::kNotFound) << status;
    EXPECT_FALSE(e.retryable());
    EXPECT_NE(e.message.find("redirected to https://elsewhere.example/v1/chat/completions"), std::string::npos)
        << e.message;
  }
  ModelError huge = ModelErrorFromHttp(307, {{"location", std::string(100000, 'x')}}, "", "m", WallTime{});
  EXPECT_LT(huge.message.size(), 1000u);
}

TEST(HttpError, EmptyBodyNamesTheStatus) { EXPECT_EQ(FromHttp(500, "").message, "HTTP 500"); }

TEST(HttpError, RegisteredSecretsNeverReachTheMessage) {
  RegisterSecret("sk-test-secret-value-123456");
  ModelError e = FromHttp(401, R"({"error":{"message":"Incorrect API key provided: sk-test-secret-value-123456"}})");
  EXPECT_EQ(e.message.find("sk-test-secret-value-123456"), std::string::npos);
  EXPECT_NE(e.message.find("[REDACTED]"), std::string::npos);
}

TEST(HttpError, ErrorObjectInsideAStreamTakesANumericCodeAsStatus) {
  ModelError e = ModelErrorFromErrorObject(
      nlohmann::json::parse(R"({"error":{"message":"Rate limited upstream","code":429}})"), "m");
  EXPECT_EQ(e.kind, ModelErrorKind::kRateLimited);
  EXPECT_EQ(e.http_status, 429);
  ModelError other = ModelErrorFromErrorObject(
      nlohmann::json::parse(R"({"error":{"message":"boom","type":"server_error"}})"), "m");
  EXPECT_EQ(other.kind, ModelErrorKind::kServerError);
}

}  // namespace
}  // namespace reagent
