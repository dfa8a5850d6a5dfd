#include "curl_transfer.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

namespace reagent::internal {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

long Millis(Duration d) {
  return static_cast<long>(std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

struct TransferState {
  CURL* easy = nullptr;
  const BodySink* sink = nullptr;
  const CancellationToken* cancel = nullptr;
  HttpResult* result = nullptr;
  bool sink_stopped = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    // A new response (after 100-continue or a redirect): forget the previous headers.
    state->result->headers.clear();
    return size * count;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    state->result->headers[LowerAscii(TrimView(line.substr(0, colon)))] =
        std::string(TrimView(line.substr(colon + 1)));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* state = static_cast<TransferState*>(user);
  if (state->cancel->cancelled()) return 0;
  long status = 0;
  curl_easy_getinfo(state->easy, CURLINFO_RESPONSE_CODE, &status);
  state->result->status = static_cast<int>(status);
  if (!(*state->sink)(state->result->status, state->result->headers,
                      std::string_view(data, size * count))) {
    state->sink_stopped = true;
    return 0;
  }
  return size * count;
}

TransferOutcome OutcomeOf(CURLcode code) {
  switch (code) {
    case CURLE_OK: return TransferOutcome::kCompleted;
    case CURLE_OPERATION_TIMEDOUT: return TransferOutcome::kTimedOut;
    case CURLE_ABORTED_BY_CALLBACK: return TransferOutcome::kCancelled;
    case CURLE_PARTIAL_FILE: return TransferOutcome::kTruncated;
    default: return TransferOutcome::kNetwork;
  }
}

}  // namespace

struct CurlPool::Handle {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
  Handle() {
    easy = curl_easy_init();
    multi = curl_multi_init();
  }
  ~Handle() {
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
  }
};

CurlPool::CurlPool(size_t max_idle) : max_idle_(max_idle) { GlobalInit(); }
CurlPool::~CurlPool() = default;

std::shared_ptr<CurlPool::Handle> CurlPool::Acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  return std::make_shared<Handle>();
}

void CurlPool::Release(std::shared_ptr<Handle> handle) {
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(handle));
}

HttpResult CurlPool::Perform(const HttpRequest& request, const BodySink& sink) {
  HttpResult result;
  std::shared_ptr<Handle> handle = Acquire();
  if (!handle->easy || !handle->multi) {
    result.detail = "could not create a libcurl handle";
    return result;
  }
  CURL* easy = handle->easy;
  // A pooled handle keeps the previous exchange's options (its method among them); its
  // connections and DNS cache survive the reset.
  curl_easy_reset(easy);
  TransferState state{easy, &sink, &request.cancel, &result};
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const std::string& h : request.headers) headers = curl_slist_append(headers, h.c_str());

  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  if (request.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is not followed with our headers
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  if (request.accept_compressed) curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, Millis(request.connect_timeout));
  if (request.total_timeout > Duration{0}) {
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, Millis(request.total_timeout));
  }
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &state);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &state);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 1L);

  CURLM* multi = handle->multi;
  curl_multi_add_handle(multi, easy);
  // Cancel() wakes the poll at once; the callback keeps the handle alive if it runs late.
  int subscription = request.cancel.OnCancel([handle] { curl_multi_wakeup(handle->multi); });
  bool cancelled = false;
  int running = 1;
  while (running) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) break;
    if (!running) break;
    if (request.cancel.cancelled()) {
      cancelled = true;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, static_cast<int>(Millis(request.poll_interval)), nullptr);
  }
  request.cancel.Unsubscribe(subscription);

  CURLcode code = CURLE_OK;
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) code = msg->data.result;
  }
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  result.status = static_cast<int>(status);
  curl_multi_remove_handle(multi, easy);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);

  if (cancelled || (code == CURLE_WRITE_ERROR && request.cancel.cancelled())) {
    result.outcome = TransferOutcome::kCancelled;
  } else if (code == CURLE_WRITE_ERROR && state.sink_stopped) {
    result.outcome = TransferOutcome::kAborted;
  } else {
    result.outcome = OutcomeOf(code);
    if (code != CURLE_OK) {
      result.detail = error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(code);
    }
  }
  if (result.outcome == TransferOutcome::kCompleted) Release(std::move(handle));
  return result;
}

}  // namespace reagent::internal
