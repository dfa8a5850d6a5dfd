#include "http_exchange.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>

namespace reagent::mcp_internal {
namespace {

// Idle handles kept for reuse (each holds its keep-alive connection).
constexpr std::size_t kMaxIdleHandles = 4;
// How often the transfer loop looks at the deadline and cancellation between wakeups.
constexpr int kPollSliceMs = 50;
constexpr long kConnectTimeoutMs = 10000;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct State {
  CURL* easy = nullptr;
  const HttpBodySink* sink = nullptr;
  const CancellationToken* cancel = nullptr;
  HttpReply* reply = nullptr;
  bool stopped = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* st = static_cast<State*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    st->reply->headers.clear();
    return size * count;
  }
  if (const std::size_t colon = line.find(':'); colon != std::string_view::npos)
    st->reply->headers[Lower(Trim(line.substr(0, colon)))] = Trim(line.substr(colon + 1));
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* st = static_cast<State*>(user);
  if (st->cancel->cancelled()) return 0;
  long status = 0;
  curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &status);
  st->reply->status = static_cast<int>(status);
  if (!(*st->sink)(*st->reply, std::string_view(data, size * count))) {
    st->stopped = true;
    return 0;
  }
  return size * count;
}

}  // namespace

struct HttpExchanger::Handle {
  CURL* easy = curl_easy_init();
  CURLM* multi = curl_multi_init();
  ~Handle() {
    if (easy) curl_easy_cleanup(easy);
    if (multi) curl_multi_cleanup(multi);
  }
};

HttpExchanger::HttpExchanger() { GlobalInit(); }
HttpExchanger::~HttpExchanger() = default;

std::shared_ptr<HttpExchanger::Handle> HttpExchanger::Acquire() {
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

void HttpExchanger::Release(std::shared_ptr<Handle> h) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(h));
}

HttpReply HttpExchanger::Perform(const HttpCall& call, const HttpBodySink& sink) {
  HttpReply reply;
  auto handle = Acquire();
  if (!handle->easy || !handle->multi) {
    reply.detail = "could not create a libcurl handle";
    return reply;
  }
  CURL* easy = handle->easy;
  curl_easy_reset(easy);
  State st{easy, &sink, &call.cancel, &reply};
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  for (const std::string& h : call.headers) headers = curl_slist_append(headers, h.c_str());

  curl_easy_setopt(easy, CURLOPT_URL, call.url.c_str());
  if (call.method == "POST") {
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  } else if (call.method != "GET") {
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is not followed with our headers
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // gzip etc. as libcurl supports
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, kConnectTimeoutMs);
  if (call.deadline != SteadyTime::max()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(call.deadline - std::chrono::steady_clock::now());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<int64_t>(1, left.count())));
  }
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &st);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &st);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 1L);

  CURLM* multi = handle->multi;
  curl_multi_add_handle(multi, easy);
  const int subscription = call.cancel.OnCancel([handle] { curl_multi_wakeup(handle->multi); });
  bool cancelled = false;
  int running = 1;
  while (running) {
    if (curl_multi_perform(multi, &running) != CURLM_OK || !running) break;
    if (call.cancel.cancelled()) {
      cancelled = true;
      break;
    }
    curl_multi_poll(multi, nullptr, 0, kPollSliceMs, nullptr);
  }
  call.cancel.Unsubscribe(subscription);
  CURLcode code = CURLE_OK;
  int pending = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi, &pending))
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy) code = msg->data.result;
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  reply.status = static_cast<int>(status);
  curl_multi_remove_handle(multi, easy);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);

  if (cancelled || (code == CURLE_WRITE_ERROR && call.cancel.cancelled())) {
    reply.outcome = HttpReply::Outcome::kCancelled;
  } else if (code == CURLE_WRITE_ERROR && st.stopped) {
    reply.outcome = HttpReply::Outcome::kStopped;
  } else if (code == CURLE_OK) {
    reply.outcome = HttpReply::Outcome::kCompleted;
  } else {
    reply.outcome = code == CURLE_OPERATION_TIMEDOUT ? HttpReply::Outcome::kTimedOut : HttpReply::Outcome::kNetwork;
    reply.detail = error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(code);
  }
  // A stopped or failed transfer leaves its connection in an unknown state: do not reuse it.
  if (reply.outcome == HttpReply::Outcome::kCompleted) Release(std::move(handle));
  return reply;
}

}  // namespace reagent::mcp_internal
