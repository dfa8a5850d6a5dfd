#include "reagent/llm/http_error.h"

#include <array>

#include <nlohmann/json.hpp>

#include "reagent/core/abbreviate.h"
#include "reagent/core/json.h"
#include "reagent/core/logging.h"

namespace reagent {
namespace {

// Error messages reach users and logs; a proxy's 50 kB HTML page should not.
constexpr size_t kMaxMessageBytes = 400;

constexpr int kStatusSiteOverloaded = 529;  // Anthropic-style "overloaded"

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string Shorten(std::string_view text) {
  std::string out = RedactSecrets(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (out.size() > kMaxMessageBytes) {
    size_t cut = kMaxMessageBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
    out.resize(cut);
    out += "...";
  }
  return out;
}

std::string JsonText(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return DumpJson(j);
}

struct ErrorFields {
  std::string code;     // provider's code or type
  std::string message;
  int numeric_code = 0;  // vLLM/llama.cpp/OpenRouter put the HTTP status in "code"
};

ErrorFields FieldsOf(const nlohmann::json& body) {
  ErrorFields f;
  const nlohmann::json* err = &body;
  if (body.is_object() && body.contains("error")) err = &body["error"];
  if (err->is_string()) {
    f.message = err->get<std::string>();
    return f;
  }
  if (!err->is_object()) return f;
  if (err->contains("message")) f.message = JsonText((*err)["message"]);
  else if (err->contains("detail")) f.message = JsonText((*err)["detail"]);
  if (err->contains("code")) {
    const auto& code = (*err)["code"];
    if (code.is_number_integer() && !code.is_number_unsigned() && code.get<int64_t>() >= 0 &&
        code.get<int64_t>() < 1000) {
      f.numeric_code = static_cast<int>(code.get<int64_t>());  // an HTTP status, else ignored
    } else if (code.is_number_unsigned() && code.get<uint64_t>() < 1000) {
      f.numeric_code = static_cast<int>(code.get<uint64_t>());
    }
    else if (code.is_string()) f.code = code.get<std::string>();
  }
  if (f.code.empty() && err->contains("type") && (*err)["type"].is_string()) {
    f.code = (*err)["type"].get<std::string>();
  }
  return f;
}

}  // namespace

bool IsContextLengthError(std::string_view code, std::string_view message) {
  std::string c = LowerAscii(code);
  if (c == "context_length_exceeded" || c == "exceed_context_size_error" ||
      c == "request_too_large") {
    return true;
  }
  static constexpr std::array<std::string_view, 12> kPhrases = {
      "maximum context length",          // OpenAI, DeepSeek, vLLM, OpenRouter, Mistral
      "context_length_exceeded",         // code echoed in the message
      "context length exceeded",         // Ollama, LiteLLM
      "exceeds the context window",      // OpenAI Responses-style wording
      "exceeds the available context",   // llama.cpp server
      "context window",                  // generic: "... exceeds the model's context window"
      "prompt is too long",              // Anthropic
      "input is too long",               // Bedrock
      "exceeds the maximum number of tokens",  // Gemini
      "reduce the length of the messages",     // OpenAI, Groq
      "too many tokens",                 // assorted gateways
      "longer than the model's context", // vLLM
  };
  std::string m = LowerAscii(message);
  for (std::string_view phrase : kPhrases) {
    if (Contains(m, phrase)) return true;
  }
  return Contains(m, "context") && (Contains(m, "exceed") || Contains(m, "too long"));
}

ModelErrorKind ClassifyHttpStatus(int status, std::string_view code, std::string_view message) {
  std::string c = LowerAscii(code);
  if (IsContextLengthError(code, message) &&
      (status == 400 || status == 413 || status == 422 || status == 0)) {
    return ModelErrorKind::kContextLengthExceeded;
  }
  if (c == "content_filter" || c == "content_policy_violation" || c == "responsibleaipolicyviolation") {
    return ModelErrorKind::kContentFilter;
  }
  if (c == "insufficient_quota" || c == "billing_hard_limit_reached" || c == "quota_exceeded") {
    return ModelErrorKind::kQuotaExhausted;
  }
  // A redirect: the endpoint is elsewhere. Not followed (it would resend the key to wherever
  // the server points) and not retried (it says the same thing every time).
  if (status >= 300 && status < 400) return ModelErrorKind::kNotFound;
  switch (status) {
    case 401:
    case 403: return ModelErrorKind::kAuth;
    case 402: return ModelErrorKind::kQuotaExhausted;
    case 404: return ModelErrorKind::kNotFound;
    case 408: return ModelErrorKind::kTimeout;
    case 413: return ModelErrorKind::kContextLengthExceeded;
    case 429: return ModelErrorKind::kRateLimited;
    case 503:
    case kStatusSiteOverloaded: return ModelErrorKind::kOverloaded;
    default: break;
  }
  if (status >= 500) return ModelErrorKind::kServerError;
  if (status >= 400) return ModelErrorKind::kBadRequest;
  if (c == "rate_limit_exceeded" || c == "rate_limited") return ModelErrorKind::kRateLimited;
  if (c == "overloaded_error" || c == "overloaded") return ModelErrorKind::kOverloaded;
  if (c == "invalid_api_key" || c == "authentication_error") return ModelErrorKind::kAuth;
  if (c == "model_not_found") return ModelErrorKind::kNotFound;
  if (c == "invalid_request_error") return ModelErrorKind::kBadRequest;
  return ModelErrorKind::kServerError;
}

ModelError ModelErrorFromHttp(int status, const HttpHeaders& headers, std::string_view body,
                              std::string_view model, WallTime now) {
  ModelError e;
  e.http_status = status;
  e.model = std::string(model);
  ErrorFields fields;
  auto parsed = ParseJson(body, "error body");
  if (parsed.ok()) {
    fields = FieldsOf(*parsed);
  } else {
    fields.message = std::string(body);
  }
  if (fields.message.empty()) fields.message = "HTTP " + std::to_string(status);
  if (status >= 300 && status < 400) {
    auto location = headers.find("location");
    fields.message = "redirected to " +
                     (location == headers.end() ? std::string("(no Location header)")
                                                : Abbreviate(location->second, kMaxEchoedText)) +
                     "; redirects are not followed: set the model's base_url to the final address";
  }
  e.code = Shorten(fields.code);
  e.message = Shorten(fields.message);
  e.kind = ClassifyHttpStatus(status, fields.code, fields.message);
  e.rate_limit = ParseRateLimitHeaders(headers);
  e.retry_after_s = RetryAfterFromHeaders(headers, now);
  if (!e.retry_after_s && e.kind == ModelErrorKind::kRateLimited) {
    e.retry_after_s = RetryAfterFromRateLimit(e.rate_limit);
  }
  return e;
}

ModelError ModelErrorFromErrorObject(const nlohmann::json& error, std::string_view model) {
  ErrorFields fields = FieldsOf(error);
  ModelError e;
  e.model = std::string(model);
  e.http_status = fields.numeric_code >= 400 && fields.numeric_code < 600 ? fields.numeric_code : 0;
  e.code = Shorten(fields.code);
  e.message = Shorten(fields.message.empty() ? std::string("error in response") : fields.message);
  e.kind = ClassifyHttpStatus(e.http_status, fields.code, fields.message);
  return e;
}

}  // namespace reagent
