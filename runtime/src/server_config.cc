#include "reagent/runtime/server_config.h"

#include <cctype>
#include <cstdlib>

#include "reagent/runtime/strict_json.h"

namespace reagent {
namespace {

bool IsHexDigest(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void ParseKey(const Json& json, const std::string& path, ServerKeyConfig& key,
              std::vector<std::string>& errors) {
  StrictObject o(json, path, errors);
  if (!o.valid()) return;
  if (auto v = o.String("user", true)) key.user = *v;
  if (auto v = o.String("sha256")) key.sha256 = *v;
  if (auto v = o.String("key_env")) key.key_env = *v;
  if (key.user.empty() && o.Has("user")) o.Error(o.PathOf("user"), "must not be empty");
  if (key.sha256.empty() == key.key_env.empty()) {
    o.Error(path, "needs exactly one of \"sha256\" (the key's SHA-256 in hex) or \"key_env\"");
  } else if (!key.sha256.empty() && !IsHexDigest(key.sha256)) {
    o.Error(o.PathOf("sha256"), "expected 64 hex digits (the SHA-256 of the key)");
  }
  o.RejectUnknownKeys();
}

}  // namespace

void ParseServerSection(const Json& json, ServerConfig& s, std::vector<std::string>& errors) {
  StrictObject o(json, "server", errors);
  if (!o.valid()) return;
  if (auto v = o.String("host")) s.host = *v;
  if (auto v = o.Int("port", false, 0)) {
    if (*v > 65535) o.Error(o.PathOf("port"), "expected 0..65535");
    s.port = static_cast<int>(*v);
  }
  if (const Json* keys = o.Array("keys")) {
    s.keys.clear();
    for (size_t i = 0; i < keys->size(); ++i) {
      ServerKeyConfig key;
      ParseKey((*keys)[i], IndexPath("server.keys", i), key, errors);
      s.keys.push_back(std::move(key));
    }
  }
  if (auto v = o.Bool("allow_anonymous")) s.allow_anonymous = *v;
  if (auto v = o.String("anonymous_user")) s.anonymous_user = *v;
  if (auto v = o.Int("max_concurrent_turns", false, 1)) s.max_concurrent_turns = *v;
  if (auto v = o.Int("max_queued_turns", false, 0)) s.max_queued_turns = *v;
  if (auto v = o.Number("retry_after_s", false, 0)) s.retry_after_s = *v;
  if (auto v = o.Int("max_body_bytes", false, 1)) s.max_body_bytes = *v;
  if (auto v = o.Int("max_connections", false, 1)) s.max_connections = *v;
  if (auto v = o.Int("io_threads", false, 1)) s.io_threads = *v;
  if (auto v = o.Number("request_timeout_s", false, 0.001)) s.request_timeout_s = *v;
  if (auto v = o.Number("idle_timeout_s", false, 0.001)) s.idle_timeout_s = *v;
  if (auto v = o.Number("sse_keepalive_s", false, 0.001)) s.sse_keepalive_s = *v;
  if (auto v = o.Number("write_timeout_s", false, 0.001)) s.write_timeout_s = *v;
  if (auto v = o.Number("drain_grace_s", false, 0)) s.drain_grace_s = *v;
  if (auto v = o.String("access_log")) s.access_log = *v;
  // Limits far beyond what one process can hold are typos, not intentions.
  constexpr int64_t kMaxThreads = 100000;
  if (s.max_concurrent_turns > kMaxThreads) o.Error(o.PathOf("max_concurrent_turns"), "at most 100000");
  if (s.io_threads > 256) o.Error(o.PathOf("io_threads"), "at most 256");
  if (s.anonymous_user.empty()) o.Error(o.PathOf("anonymous_user"), "must not be empty");
  o.RejectUnknownKeys();
}

Json ServerConfigJson(const ServerConfig& s) {
  Json keys = Json::array();
  for (const auto& k : s.keys) {
    Json jk = {{"user", k.user}};
    if (!k.sha256.empty()) jk["sha256"] = k.sha256.substr(0, 8) + "…";
    if (!k.key_env.empty()) {
      jk["key_env"] = k.key_env;
      const char* v = std::getenv(k.key_env.c_str());
      jk["key"] = v && *v ? "(set, redacted)" : "(not set)";
    }
    keys.push_back(std::move(jk));
  }
  return {{"host", s.host}, {"port", s.port}, {"keys", keys},
          {"allow_anonymous", s.allow_anonymous}, {"anonymous_user", s.anonymous_user},
          {"max_concurrent_turns", s.max_concurrent_turns}, {"max_queued_turns", s.max_queued_turns},
          {"retry_after_s", s.retry_after_s}, {"max_body_bytes", s.max_body_bytes},
          {"max_connections", s.max_connections}, {"io_threads", s.io_threads},
          {"request_timeout_s", s.request_timeout_s}, {"idle_timeout_s", s.idle_timeout_s},
          {"sse_keepalive_s", s.sse_keepalive_s}, {"write_timeout_s", s.write_timeout_s},
          {"drain_grace_s", s.drain_grace_s}, {"access_log", s.access_log}};
}

}  // namespace reagent
