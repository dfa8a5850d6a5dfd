#include "support/serve_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "reagent/core/sha256.h"
#include "support/deadline.h"
#include "support/reagent_process.h"

namespace reagent::testing {
namespace {

using std::chrono::milliseconds;
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::string HttpReply::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

Json HttpReply::json() const {
  auto j = ParseJson(body, "reply");
  return j.ok() ? *j : Json();
}

int ConnectLoopback(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string RawExchange(int port, const std::string& bytes, milliseconds timeout) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  const auto deadline = SteadyClock::now() + timeout;
  std::string out;
  size_t sent = 0;
  char buf[65536];
  // Send and read at once: a server may answer (and stop reading) before all bytes are sent.
  while (true) {
    pollfd p{fd, static_cast<short>(POLLIN | (sent < bytes.size() ? POLLOUT : 0)), 0};
    if (poll(&p, 1, RemainingMs(deadline)) <= 0) break;
    if (p.revents & POLLIN) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    } else if (p.revents & POLLOUT) {
      const ssize_t n = send(fd, bytes.data() + sent, std::min<size_t>(bytes.size() - sent, 65536), MSG_NOSIGNAL);
      if (n <= 0) {
        sent = bytes.size();  // the server closed its side; read what it said
        continue;
      }
      sent += static_cast<size_t>(n);
    } else if (p.revents & (POLLERR | POLLHUP)) {
      const ssize_t n = read(fd, buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return out;
}

HttpReply ParseHttpReply(const std::string& raw) {
  HttpReply r;
  r.raw = raw;
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || head_end == std::string::npos) return r;
  r.status = std::atoi(raw.c_str() + 9);
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[Lower(line.substr(0, colon))] = value;
  }
  std::string body = raw.substr(head_end + 4);
  if (Lower(r.Header("transfer-encoding")) == "chunked") {
    size_t pos = 0;
    while (pos < body.size()) {
      const size_t eol = body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const size_t len = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
      if (len == 0) break;
      r.body += body.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
  } else {
    r.body = body;
  }
  return r;
}

HttpReply Http(int port, const std::string& method, const std::string& path, const Headers& headers,
               const std::string& body, milliseconds timeout) {
  std::string request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) request += k + ": " + v + "\r\n";
  if (!body.empty() || method == "POST") request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  return ParseHttpReply(RawExchange(port, request, timeout));
}

SseEvents ParseSse(const std::string& body) {
  SseEvents out;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("data: ", 0) == 0) {
      const std::string data = line.substr(6);
      if (data == "[DONE]") {
        out.done = true;
        continue;
      }
      auto j = ParseJson(data, "sse");
      if (!j.ok()) continue;
      if (j->contains("choices")) {
        for (const Json& c : (*j)["choices"]) {
          if (c.contains("delta") && c["delta"].contains("content") && c["delta"]["content"].is_string()) {
            out.content += c["delta"]["content"].get<std::string>();
          }
        }
      }
      out.data.push_back(*j);
    } else if (line.rfind(": reagent ", 0) == 0) {
      if (auto j = ParseJson(line.substr(10), "sse"); j.ok()) out.events.push_back(*j);
    }
  }
  return out;
}

Json ChatBody(const std::string& text, bool stream) {
  Json body = {{"model", "reagent"}, {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) body["stream"] = true;
  return body;
}

ServeHarness::ServeHarness(ServeOptions options) {
  dir_ = MakeTempDir("serve");
  if (options.start_mock) {
    std::vector<std::string> args = {"mock-llm", "--port", "0", "--quiet"};
    args.insert(args.end(), options.mock_args.begin(), options.mock_args.end());
    mock_ = ChildProcess::Start(args, {}, dir_ + "/mock.err");
    const std::string line = mock_ ? mock_->ReadLine() : "";
    mock_port_ = line.empty() ? 0 : std::atoi(line.c_str());
    if (mock_port_ <= 0) return;
  }
  Json config = {
      {"models", {{{"model", "gpt-4.1-mini"},
                   {"base_url", "http://127.0.0.1:" + std::to_string(mock_port_) + "/v1"},
                   {"api_key_env", "REAGENT_TEST_MOCK_KEY"}}}},
      {"tools", {{"builtin", {"calculator"}}}},
      {"sessions", {{"db", dir_ + "/sessions.db"}, {"requests_per_minute", 100000}}},
      {"server", {{"port", 0},
                  {"access_log", dir_ + "/access.log"},
                  {"keys", {{{"user", "alice"}, {"sha256", Sha256Hex(kAliceKey)}},
                            {{"user", "bob"}, {"sha256", Sha256Hex(kBobKey)}}}}}}};
  config.merge_patch(options.config);
  std::ofstream(dir_ + "/reagent.json") << config.dump(2);
  std::vector<std::string> args = {"serve", "--config", dir_ + "/reagent.json"};
  args.insert(args.end(), options.serve_args.begin(), options.serve_args.end());
  serve_ = ChildProcess::Start(args, {"REAGENT_TEST_MOCK_KEY=unused-mock-key"}, dir_ + "/serve.err");
  const std::string line = serve_ ? serve_->ReadLine() : "";
  port_ = line.empty() ? 0 : std::atoi(line.c_str());
}

ServeHarness::~ServeHarness() {
  serve_.reset();
  mock_.reset();
  RemoveTree(dir_);
}

HttpReply ServeHarness::Chat(const std::string& key, const Json& body, const Headers& extra) {
  Headers headers = {{"Content-Type", "application/json"}};
  if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
  headers.insert(headers.end(), extra.begin(), extra.end());
  return Http(port_, "POST", "/v1/chat/completions", headers, body.dump());
}

HttpReply ServeHarness::Get(const std::string& key, const std::string& path) {
  Headers headers;
  if (!key.empty()) headers.emplace_back("Authorization", "Bearer " + key);
  return Http(port_, "GET", path, headers);
}

std::vector<Json> ServeHarness::AccessLog() const {
  std::vector<Json> out;
  std::istringstream in(ReadFile(dir_ + "/access.log"));
  std::string line;
  while (std::getline(in, line)) {
    if (auto j = ParseJson(line, "access log"); j.ok()) out.push_back(*j);
  }
  return out;
}

std::string ServeHarness::Stderr() const { return ReadFile(dir_ + "/serve.err"); }

}  // namespace reagent::testing
