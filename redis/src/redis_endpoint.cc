// Parsing redis:// and unix:// URLs into a RedisEndpoint.
#include <charconv>
#include <string>

#include "reagent/redis/redis_client.h"

namespace reagent {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoding; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool ParseInt(std::string_view s, int min, int max, int& out) {
  if (s.empty()) return false;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max) return false;
  out = v;
  return true;
}

// What a URL looks like in an error message: the password never appears.
std::string Redacted(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  const size_t at = out.rfind('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    // user:password@ keeps the user; a lone userinfo may well be a password.
    const size_t colon = out.find(':', scheme + 3);
    const size_t from = colon != std::string::npos && colon < at ? colon + 1 : scheme + 3;
    out.replace(from, at - from, "***");
  }
  if (size_t p = out.find("password="); p != std::string::npos) {
    p += 9;
    const size_t end = out.find('&', p);
    out.replace(p, end == std::string::npos ? std::string::npos : end - p, "***");
  }
  return out;
}

Status Bad(std::string_view url, const std::string& why) {
  return Status::InvalidArgument("redis URL \"" + Redacted(url) + "\": " + why);
}

Status ParseQuery(std::string_view url, std::string_view query, RedisEndpoint& e) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    std::string value;
    if (eq == std::string_view::npos || !PercentDecode(pair.substr(eq + 1), value)) {
      return Bad(url, "query parameter \"" + std::string(key) + "\" needs a value");
    }
    if (key == "db") {
      if (!ParseInt(value, 0, 1 << 20, e.db)) return Bad(url, "db must be a non-negative integer");
    } else if (key == "password") {
      e.password = value;
    } else if (key == "user") {
      e.user = value;
    } else {
      return Bad(url, "unknown query parameter \"" + std::string(key) + "\" (db, password, user)");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<RedisEndpoint> RedisEndpoint::Parse(std::string_view url) {
  RedisEndpoint e;
  if (url.starts_with("rediss://")) {
    return Bad(url, "TLS (rediss://) is not supported by this build; use a TLS proxy or redis://");
  }
  if (url.starts_with("unix://")) {
    std::string_view rest = url.substr(7);
    const size_t q = rest.find('?');
    if (!PercentDecode(rest.substr(0, q), e.socket_path)) return Bad(url, "malformed %-escape in the path");
    if (e.socket_path.empty() || e.socket_path[0] != '/') {
      return Bad(url, "expected unix:///absolute/path/to/redis.sock");
    }
    if (q != std::string_view::npos) REAGENT_RETURN_IF_ERROR(ParseQuery(url, rest.substr(q + 1), e));
    return e;
  }
  if (!url.starts_with("redis://")) {
    return Bad(url, "expected redis://[:password@]host:port/db or unix:///path?db=N");
  }
  std::string_view rest = url.substr(8);
  const size_t q = rest.find('?');
  std::string_view query;
  if (q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !ParseInt(db, 0, 1 << 20, e.db)) return Bad(url, "the path must be a database number");
  }
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      // redis://password@host is a common mistake for redis://:password@host; the URI rule
      // (a lone userinfo is a user name) would send AUTH with no password.
      return Bad(url, "credentials must be :password@ or user:password@");
    }
    if (!PercentDecode(userinfo.substr(0, colon), e.user) ||
        !PercentDecode(userinfo.substr(colon + 1), e.password)) {
      return Bad(url, "malformed %-escape in the credentials");
    }
  }
  std::string_view port;
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return Bad(url, "unterminated [IPv6 address]");
    e.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Bad(url, "expected :port after the IPv6 address");
      port = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (e.host.empty()) return Bad(url, "no host");
  if (!port.empty() && !ParseInt(port, 1, 65535, e.port)) return Bad(url, "port must be 1-65535");
  REAGENT_RETURN_IF_ERROR(ParseQuery(url, query, e));
  return e;
}

std::string RedisEndpoint::Display() const {
  std::string credentials;
  if (!password.empty() || !user.empty()) credentials = user + (password.empty() ? "" : ":***") + "@";
  if (!socket_path.empty()) {
    std::string out = "unix://" + socket_path;
    std::string query;
    if (db != 0) query += "db=" + std::to_string(db);
    if (!user.empty()) query += std::string(query.empty() ? "" : "&") + "user=" + user;
    if (!password.empty()) query += std::string(query.empty() ? "" : "&") + "password=***";
    return query.empty() ? out : out + "?" + query;
  }
  const bool v6 = host.find(':') != std::string::npos;
  return "redis://" + credentials + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" +
         std::to_string(db);
}

}  // namespace reagent
