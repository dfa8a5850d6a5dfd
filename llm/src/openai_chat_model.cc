#include "reagent/llm/openai_chat_model.h"

#include <algorithm>
#include <cstdlib>

#include "curl_transfer.h"
#include "reagent/core/abbreviate.h"
#include "reagent/core/json.h"
#include "reagent/core/logging.h"
#include "reagent/core/version.h"
#include "reagent/llm/http_error.h"
#include "reagent/llm/sse_parser.h"

namespace reagent {
namespace {

constexpr std::string_view kDefaultBaseUrl = "https://api.openai.com/v1";
constexpr std::string_view kDoneMarker = "[DONE]";

ModelError Failure(std::string_view model, ModelErrorKind kind, std::string message) {
  ModelError e;
  e.kind = kind;
  e.model = std::string(model);
  e.message = RedactSecrets(message);
  return e;
}

bool LooksSecret(std::string_view header_name) {
  std::string n = LowerAscii(header_name);
  return n.find("key") != std::string::npos || n.find("auth") != std::string::npos ||
         n.find("token") != std::string::npos;
}

std::string Seconds1(Duration d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", ToSeconds(d));
  return buf;
}

// What the body sink collects: a plain body, or an SSE stream fed to the assembler.
struct Reception {
  Reception(std::string model, size_t max_bytes, const DeltaCallback* on_delta, bool stream)
      : assembler(model), model_name(std::move(model)), max_bytes(max_bytes), on_delta(on_delta),
        stream(stream),
        parser([this](const SseEvent& e) { return OnEvent(e); }) {}

  bool OnBytes(int status, const HttpHeaders& headers, std::string_view bytes) {
    received += bytes.size();
    if (received > max_bytes) {
      too_large = true;
      return false;
    }
    if (!decided) {
      decided = true;
      auto it = headers.find("content-type");
      sse = stream && status >= 200 && status < 300 && it != headers.end() &&
            LowerAscii(it->second).find("text/event-stream") != std::string::npos;
    }
    if (!sse) {
      body.append(bytes);
      return true;
    }
    return parser.Feed(bytes);
  }

  bool OnEvent(const SseEvent& event) {
    if (event.data == kDoneMarker) {
      done = true;
      return true;
    }
    if (event.event == "error") {
      auto parsed = ParseJson(event.data, "stream error");
      error = parsed.ok() ? ModelErrorFromErrorObject(*parsed, model_name)
                          : Failure(model_name, ModelErrorKind::kServerError, event.data);
      return false;
    }
    if (done) return true;  // data after [DONE] is ignored
    error = assembler.Apply(event.data, on_delta ? *on_delta : DeltaCallback());
    return !error;
  }

  StreamAssembler assembler;
  std::string model_name;
  size_t max_bytes;
  const DeltaCallback* on_delta;
  bool stream;
  SseParser parser;
  std::string body;
  size_t received = 0;
  bool decided = false, sse = false, done = false, too_large = false;
  std::optional<ModelError> error;
};

}  // namespace

struct OpenAIChatModel::Impl {
  OpenAIChatModelOptions options;
  Clock* clock = nullptr;
  std::string endpoint;
  std::vector<std::string> headers;  // including Authorization, built once
  bool has_key = false;
  internal::CurlPool pool;

  explicit Impl(OpenAIChatModelOptions o) : options(std::move(o)), pool(options.max_idle_handles) {}

  ChatResult Call(const ChatRequest& request, const DeltaCallback* on_delta, bool stream);
  ChatResult Finish(const ChatRequest& request, Reception& rx, const internal::HttpResult& http,
                    std::string_view model, bool stream, TimePoint start);
};

Result<std::unique_ptr<OpenAIChatModel>> OpenAIChatModel::Create(OpenAIChatModelOptions options) {
  if (options.model.empty()) return Status::InvalidArgument("OpenAIChatModel: model is empty");
  std::string base = options.base_url;
  if (base.empty()) {
    const char* env = std::getenv("OPENAI_BASE_URL");
    base = env && *env ? env : std::string(kDefaultBaseUrl);
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (!base.starts_with("http://") && !base.starts_with("https://")) {
    return Status::InvalidArgument("OpenAIChatModel: base URL must start with http:// or https:// (got \"" +
                                   RedactSecrets(base) + "\")");
  }
  std::string key;
  if (options.api_key) {
    key = *options.api_key;
  } else if (!options.api_key_env.empty()) {
    const char* env = std::getenv(options.api_key_env.c_str());
    if (env) key = env;
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  impl->clock = impl->options.clock ? impl->options.clock : &SystemClock::Default();
  impl->endpoint = base + "/chat/completions";
  impl->headers = {"Content-Type: application/json", "Expect:",
                   std::string("User-Agent: reagent/") + REAGENT_VERSION};
  if (!key.empty()) {
    RegisterSecret(key);
    impl->headers.push_back("Authorization: Bearer " + key);
    impl->has_key = true;
  }
  for (const auto& [name, value] : impl->options.extra_headers) {
    // CR or LF would end the header line and put whatever follows on the wire as another.
    if (name.empty() || name.find_first_of(std::string(":\r\n\0 \t", 6)) != std::string::npos ||
        value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
      return Status::InvalidArgument("OpenAIChatModel: extra header \"" +
                                     Abbreviate(RedactSecrets(name), kMaxEchoedName) +
                                     "\" has an invalid name or a CR, LF or NUL in its value");
    }
    if (LooksSecret(name)) RegisterSecret(value);
    impl->headers.push_back(name + ": " + value);
  }
  return std::unique_ptr<OpenAIChatModel>(new OpenAIChatModel(std::move(impl)));
}

OpenAIChatModel::OpenAIChatModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OpenAIChatModel::~OpenAIChatModel() = default;

ChatResult OpenAIChatModel::Complete(const ChatRequest& request) {
  return impl_->Call(request, nullptr, false);
}

ChatResult OpenAIChatModel::Stream(const ChatRequest& request, const DeltaCallback& on_delta) {
  return impl_->Call(request, &on_delta, true);
}

std::string OpenAIChatModel::name() const { return impl_->options.model; }
const std::string& OpenAIChatModel::endpoint() const { return impl_->endpoint; }
bool OpenAIChatModel::has_api_key() const { return impl_->has_key; }

ChatResult OpenAIChatModel::Impl::Call(const ChatRequest& request, const DeltaCallback* on_delta,
                                       bool stream) {
  std::string model = request.model.empty() ? options.model : request.model;
  if (request.cancel.cancelled()) return MakeUnexpected(Failure(model, ModelErrorKind::kCancelled, "cancelled"));
  TimePoint start = clock->Now();
  Duration budget = options.request_timeout;
  if (request.deadline) {
    budget = std::min(budget, *request.deadline - start);
    if (budget <= Duration{0}) {
      ModelError e = Failure(model, ModelErrorKind::kTimeout, "deadline passed before the call");
      e.hit_deadline = true;
      return MakeUnexpected(std::move(e));
    }
  }
  internal::HttpRequest http{
      .url = endpoint,
      .headers = headers,
      .body = DumpJson(BuildChatRequestBody(request, model, stream, options.wire)),
      .connect_timeout = std::min(options.connect_timeout, budget),
      .total_timeout = budget,
      .poll_interval = options.poll_interval,
      .cancel = request.cancel,
  };
  http.headers.push_back(stream ? "Accept: text/event-stream" : "Accept: application/json");
  Reception rx(model, options.max_response_bytes, on_delta, stream);
  Logger()->debug("POST {} model={} stream={}", endpoint, model, stream);
  internal::HttpResult result = pool.Perform(http, [&rx](int status, const HttpHeaders& h, std::string_view bytes) {
    return rx.OnBytes(status, h, bytes);
  });
  return Finish(request, rx, result, model, stream, start);
}

ChatResult OpenAIChatModel::Impl::Finish(const ChatRequest& request, Reception& rx,
                                         const internal::HttpResult& http, std::string_view model,
                                         bool stream, TimePoint start) {
  using internal::TransferOutcome;
  auto fail = [&](ModelErrorKind kind, std::string message) -> ChatResult {
    ModelError e = Failure(model, kind, std::move(message));
    e.http_status = http.status;
    e.rate_limit = ParseRateLimitHeaders(http.headers);
    return MakeUnexpected(std::move(e));
  };
  switch (http.outcome) {
    case TransferOutcome::kCancelled: return fail(ModelErrorKind::kCancelled, "cancelled");
    case TransferOutcome::kTimedOut: {
      ChatResult timed_out =
          fail(ModelErrorKind::kTimeout, "no complete reply within " + Seconds1(clock->Now() - start) + " s");
      // The caller's deadline, not the request timeout, cut this call short.
      if (request.deadline && *request.deadline - start < options.request_timeout) {
        timed_out.error().hit_deadline = true;
      }
      return timed_out;
    }
    case TransferOutcome::kNetwork: return fail(ModelErrorKind::kNetwork, http.detail);
    case TransferOutcome::kTruncated:
      // A broken transfer, like a reset: the provider's or the network's fault, retried.
      return fail(ModelErrorKind::kNetwork, "connection closed mid-body: " + http.detail);
    case TransferOutcome::kAborted:
      if (rx.too_large) {
        return fail(ModelErrorKind::kMalformedResponse,
                    "response larger than " + std::to_string(options.max_response_bytes) + " bytes");
      }
      if (rx.error) {
        ModelError e = *rx.error;
        if (e.http_status == 0 && e.kind == ModelErrorKind::kMalformedResponse) e.http_status = http.status;
        return MakeUnexpected(std::move(e));
      }
      if (rx.parser.line_too_long()) return fail(ModelErrorKind::kMalformedResponse, "SSE line too long");
      return fail(ModelErrorKind::kMalformedResponse, "stream aborted");
    case TransferOutcome::kCompleted: break;
  }
  if (http.status < 200 || http.status >= 300) {
    return MakeUnexpected(ModelErrorFromHttp(http.status, http.headers, rx.body, model, clock->WallNow()));
  }
  ChatResponse response;
  if (rx.sse) {
    if (!rx.parser.FlushAtEnd() && rx.error) return MakeUnexpected(*rx.error);
    if (!rx.done && !rx.assembler.finished()) {
      return fail(ModelErrorKind::kNetwork, "stream ended before [DONE] (truncated)");
    }
    response = rx.assembler.Take();
    if (response.finish_reason == "content_filter" && response.content.empty() && response.tool_calls.empty()) {
      ModelError e = Failure(model, ModelErrorKind::kContentFilter, "the provider's content filter withheld the reply");
      e.http_status = http.status;
      e.code = "content_filter";
      return MakeUnexpected(std::move(e));
    }
  } else {
    auto parsed = ParseChatResponse(rx.body, model);
    if (!parsed.ok()) {
      ModelError e = parsed.error();
      if (e.http_status == 0) e.http_status = http.status;
      return MakeUnexpected(std::move(e));
    }
    response = std::move(*parsed);
    if (stream && rx.on_delta && *rx.on_delta) {
      // The server ignored "stream": deliver the whole reply as one delta per part.
      if (!response.content.empty()) (*rx.on_delta)(ChatDelta{.content = response.content});
      for (size_t i = 0; i < response.tool_calls.size(); ++i) {
        const ToolCall& c = response.tool_calls[i];
        (*rx.on_delta)(ChatDelta{.tool_index = static_cast<int>(i), .tool_call_id = c.id,
                                 .tool_name = c.name, .tool_arguments = c.arguments});
      }
    }
  }
  if (response.usage.prompt_tokens == 0 && response.usage.completion_tokens == 0) {
    if (options.count_prompt_tokens) response.usage.prompt_tokens = options.count_prompt_tokens(request);
    if (options.count_text_tokens) {
      int64_t n = options.count_text_tokens(response.content);
      for (const ToolCall& c : response.tool_calls) n += options.count_text_tokens(c.name) + options.count_text_tokens(c.arguments);
      response.usage.completion_tokens = n;
    }
  }
  response.rate_limit = ParseRateLimitHeaders(http.headers);
  response.latency = clock->Now() - start;
  response.requested_model = std::string(model);
  return response;
}

}  // namespace reagent
