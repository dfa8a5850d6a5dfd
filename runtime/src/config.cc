#include "reagent/runtime/config.h"

#include <cstdlib>
#include <filesystem>

#include "reagent/redis/redis_client.h"
#include "reagent/runtime/mcp_config.h"
#include "reagent/core/abbreviate.h"
#include "reagent/runtime/shared_state.h"
#include "reagent/runtime/resilience_config.h"
#include "reagent/runtime/strict_json.h"

namespace reagent {
namespace {

// Counts (tokens, sessions, steps) beyond this are not settings but typos; it keeps every
// sum they enter far from overflow.
constexpr int64_t kMaxCount = int64_t{1} << 50;

// A header name is an HTTP token; a value may not carry CR, LF or NUL, which would end the
// header and smuggle another onto the wire.
std::string HeaderProblem(const std::string& name, const std::string& value) {
  if (name.empty()) return "empty header name";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == ':') return "header name contains a character not allowed in HTTP";
  }
  if (value.find_first_of(std::string("\r\n\0", 3)) != std::string::npos) {
    return "header value contains CR, LF or NUL";
  }
  return "";
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void ParseModel(const Json& j, const std::string& path, ModelConfig& m,
                std::vector<std::string>& errors) {
  if (j.is_string()) {  // shorthand: just the model name
    m.model = j.get<std::string>();
    return;
  }
  StrictObject o(j, path, errors);
  if (!o.valid()) return;
  if (auto v = o.String("model", true)) m.model = *v;
  if (auto v = o.String("base_url")) m.base_url = *v;
  if (auto v = o.String("api_key_env")) m.api_key_env = *v;
  if (const Json* h = o.Object("headers")) {
    for (auto it = h->begin(); it != h->end(); ++it) {
      if (!it->is_string()) {
        errors.push_back(o.PathOf("headers." + it.key()) + ": expected string");
        continue;
      }
      if (std::string problem = HeaderProblem(it.key(), it->get<std::string>()); !problem.empty()) {
        errors.push_back(o.PathOf("headers." + Abbreviate(it.key(), kMaxEchoedName)) + ": " + problem);
        continue;
      }
      m.headers[it.key()] = it->get<std::string>();
    }
  }
  if (auto v = o.Number("timeout_s", false, 0)) m.timeout_s = *v;
  if (auto v = o.Bool("shared_state")) m.shared_state = *v;
  if (const Json* p = o.Object("price")) {
    StrictObject price(*p, o.PathOf("price"), errors);
    m.price_input = price.Number("input", true, 0);
    m.price_cached_input = price.Number("cached_input", false, 0);
    m.price_output = price.Number("output", true, 0);
    price.RejectUnknownKeys();
  }
  o.RejectUnknownKeys();
}

// "agent", "agent.user", ...: the top-level keys and those of top-level objects.
std::set<std::string, std::less<>> FileKeys(const Json& json) {
  std::set<std::string, std::less<>> keys;
  if (!json.is_object()) return keys;
  for (auto it = json.begin(); it != json.end(); ++it) {
    keys.insert(it.key());
    if (!it->is_object()) continue;
    for (auto inner = it->begin(); inner != it->end(); ++inner) keys.insert(it.key() + "." + inner.key());
  }
  return keys;
}

// A redis:// or unix:// URL at `key`, checked now so that a typo is a config error.
void CheckRedisUrl(const std::string& key, const std::string& url, std::vector<std::string>& errors) {
  auto endpoint = RedisEndpoint::Parse(url);
  if (!endpoint.ok()) errors.push_back(key + ": " + endpoint.status().message());
}

// "limiter"/"breaker" objects: the resilience overrides plus "shared" (a redis URL).
Json SharedOverrides(StrictObject& top, const char* key, std::vector<std::string> keys,
                     std::vector<std::string> int_keys, std::vector<std::string>& errors) {
  keys.push_back("shared");
  Json out = top.Overrides(key, keys, {"shared"}, int_keys);
  if (out.contains("shared")) CheckRedisUrl(std::string(key) + ".shared", out["shared"].get<std::string>(), errors);
  return out;
}

// "sessions.backend": "sqlite:PATH" or a redis URL; either way it is where db_path points.
void ParseSessionsBackend(StrictObject& o, Config& c, std::vector<std::string>& errors) {
  auto v = o.String("backend");
  if (!v) return;
  if (v->starts_with("sqlite:")) {
    c.db_path = v->substr(7);
  } else if (IsRedisUrl(*v)) {
    CheckRedisUrl("sessions.backend", *v, errors);
    c.db_path = *v;
  } else {
    o.Error(o.PathOf("backend"), "expected \"sqlite:PATH\" or a redis://host:port/db (unix:///path) URL");
  }
}

// "cache": true | false | "path/to/cache.db" | a redis URL (a cache every replica shares).
void ParseCache(StrictObject& top, Config& c, std::vector<std::string>& errors) {
  const Json* v = top.Any("cache");
  if (!v) return;
  if (v->is_boolean()) {
    c.cache = v->get<bool>();
  } else if (v->is_string() && IsRedisUrl(v->get<std::string>())) {
    c.cache = true;
    c.cache_backend = v->get<std::string>();
    CheckRedisUrl("cache", c.cache_backend, errors);
  } else if (v->is_string() && !v->get<std::string>().empty()) {
    c.cache = true;
    c.cache_file = v->get<std::string>();
  } else {
    top.Error("cache", "expected true, false, a file path or a redis://host:port/db (unix:///path) URL, got " +
                           std::string(JsonTypeName(*v)));
  }
}

void ParseRedis(StrictObject& top, Config& c, std::vector<std::string>& errors) {
  const Json* r = top.Object("redis");
  if (!r) return;
  StrictObject o(*r, "redis", errors);
  RedisConfig& rc = c.redis;
  if (auto v = o.String("prefix")) {
    if (Status s = CheckRedisKeyPrefix(*v); !s.ok()) o.Error(o.PathOf("prefix"), s.message());
    rc.prefix = *v;
  }
  if (auto v = o.Number("connect_timeout_s", false, 0.001)) rc.connect_timeout_s = *v;
  if (auto v = o.Number("command_timeout_s", false, 0.001)) rc.command_timeout_s = *v;
  if (auto v = o.Int("pool_size", false, 1)) rc.pool_size = *v;
  if (auto v = o.Number("lease_ttl_s", false, 0.03)) rc.lease_ttl_s = *v;
  if (auto v = o.Number("expired_retention_s", false, 0)) rc.expired_retention_s = *v;
  if (auto v = o.StringArray("fail_open")) {
    for (const std::string& what : *v) {
      if (what == "limiter") {
        rc.fail_open_limiter = true;
      } else if (what == "cache") {
        rc.fail_open_cache = true;
      } else {
        o.Error(o.PathOf("fail_open"), "\"" + what + "\" cannot fail open (only \"limiter\" and \"cache\")");
      }
    }
  }
  o.RejectUnknownKeys();
}

// A relative path the file set, made relative to the file's folder instead of the working
// directory. Empty paths and ":memory:" stay as they are.
void Rebase(std::string& path, const std::filesystem::path& folder) {
  if (path.empty() || path == ":memory:" || std::filesystem::path(path).is_absolute()) return;
  std::filesystem::path rebased = (folder / path).lexically_normal();
  if (rebased.filename().empty() && rebased.has_parent_path()) rebased = rebased.parent_path();  // "dir/." → "dir"
  path = rebased.string();
}

Result<Config> LoadFile(const std::string& path) {
  REAGENT_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path));
  REAGENT_ASSIGN_OR_RETURN(Config c, ParseConfig(json, path));
  ResolveRelativePaths(c, std::filesystem::path(path).parent_path().string());
  return c;
}

}  // namespace

void ResolveRelativePaths(Config& c, const std::string& folder_name) {
  const std::filesystem::path folder = folder_name.empty() ? "." : folder_name;
  if (c.Sets("tools.root")) Rebase(c.tools_root, folder);
  if ((c.Sets("sessions.db") || c.Sets("sessions.backend")) && !IsRedisUrl(c.db_path)) Rebase(c.db_path, folder);
  if (c.Sets("cache")) Rebase(c.cache_file, folder);
  if (c.Sets("log.file")) Rebase(c.log_file, folder);
  for (auto& file : c.rule_files) Rebase(file, folder);
  for (auto& tool : c.external_tools) {
    if (!tool.is_object()) continue;
    // A program named with a path ("./bin/grep-docs") is relative to the file; a bare name
    // ("grep") is looked up on $PATH as usual.
    if (auto argv = tool.find("argv"); argv != tool.end() && argv->is_array() && !argv->empty() &&
                                       (*argv)[0].is_string()) {
      std::string program = (*argv)[0].get<std::string>();
      if (program.find('/') != std::string::npos) {
        Rebase(program, folder);
        (*argv)[0] = program;
      }
    }
    if (auto cwd = tool.find("cwd"); cwd != tool.end() && cwd->is_string()) {
      std::string dir = cwd->get<std::string>();
      Rebase(dir, folder);
      *cwd = dir;
    }
  }
}

Result<Config> ParseConfig(const Json& json, const std::string& source) {
  std::vector<std::string> errors;
  Config c;
  c.source = source;
  c.file_keys = FileKeys(json);
  StrictObject top(json, "", errors);
  if (top.valid()) {
    if (const Json* models = top.Array("models")) {
      c.models.clear();
      for (size_t i = 0; i < models->size(); ++i) {
        ModelConfig m;
        ParseModel((*models)[i], IndexPath("models", i), m, errors);
        c.models.push_back(std::move(m));
      }
      if (c.models.empty()) errors.push_back("models: needs at least one model");
    }
    if (const Json* a = top.Object("agent")) {
      StrictObject o(*a, "agent", errors);
      if (auto v = o.String("mode")) {
        if (*v != "react" && *v != "tools") o.Error(o.PathOf("mode"), "expected \"react\" or \"tools\"");
        c.mode = *v;
      }
      if (auto v = o.String("system")) c.system_prompt = *v;
      if (auto v = o.Int("max_steps", false, 1, INT32_MAX)) c.max_steps = static_cast<int>(*v);
      if (auto v = o.Int("max_output_tokens", false, 1, kMaxCount)) c.max_output_tokens = *v;
      if (auto v = o.Int("max_parallel_tools", false, 1, INT32_MAX)) c.max_parallel_tools = static_cast<int>(*v);
      if (auto v = o.Int("max_tool_calls_per_step", false, 1, INT32_MAX)) {
        c.max_tool_calls_per_step = static_cast<int>(*v);
      }
      if (auto v = o.String("on_secret")) {
        if (*v != "redact" && *v != "block") o.Error(o.PathOf("on_secret"), "expected \"redact\" or \"block\"");
        c.on_secret = *v;
      }
      c.temperature = o.Number("temperature", false, 0);
      if (auto v = o.String("user")) c.user = *v;
      o.RejectUnknownKeys();
    }
    if (const Json* b = top.Object("budget")) {
      StrictObject o(*b, "budget", errors);
      if (auto v = o.Int("max_tokens", false, 0, kMaxCount)) c.budget_max_tokens = *v;
      if (auto v = o.Number("max_cost_usd", false, 0)) c.budget_max_cost_usd = *v;
      if (auto v = o.Number("deadline_s", false, 0)) c.budget_deadline_s = *v;
      o.RejectUnknownKeys();
    }
    c.retry = top.Overrides("retry", kRetryKeys, kRetryStringKeys, kRetryIntKeys);
    c.breaker = SharedOverrides(top, "breaker", kBreakerKeys, kBreakerIntKeys, errors);
    c.limiter = SharedOverrides(top, "limiter", kLimiterKeys, kLimiterIntKeys, errors);
    ParseCache(top, c, errors);
    ParseRedis(top, c, errors);
    if (const Json* s = top.Object("sanitizer")) {
      StrictObject o(*s, "sanitizer", errors);
      if (auto v = o.StringArray("rule_files")) c.rule_files = *v;
      c.block_threshold = o.Number("block_threshold", false, 0);
      c.max_input_bytes = o.Int("max_input_bytes", false, 1, kMaxCount);
      o.RejectUnknownKeys();
    }
    if (const Json* t = top.Object("tools")) {
      StrictObject o(*t, "tools", errors);
      if (auto v = o.StringArray("builtin")) c.builtin_tools = *v;
      if (auto v = o.String("root")) c.tools_root = *v;
      if (const Json* e = o.Array("external")) c.external_tools = *e;
      if (const Json* m = o.Array("mcp")) c.mcp_servers = ParseMcpServers(*m, o.PathOf("mcp"), errors);
      o.RejectUnknownKeys();
    }
    if (const Json* s = top.Object("sessions")) {
      StrictObject o(*s, "sessions", errors);
      if (auto v = o.String("db")) c.db_path = *v;
      ParseSessionsBackend(o, c, errors);
      if (auto v = o.Number("ttl_s", false, 1)) c.session_ttl_s = *v;
      if (auto v = o.Int("max_sessions", false, 1, kMaxCount)) c.max_sessions = *v;
      if (auto v = o.Int("max_concurrent_per_user", false, 1, INT32_MAX)) c.max_concurrent_per_user = *v;
      if (auto v = o.Int("requests_per_minute", false, 1, INT32_MAX)) c.requests_per_minute = *v;
      if (auto v = o.Number("busy_wait_s", false, 0)) c.session_busy_wait_s = *v;
      o.RejectUnknownKeys();
    }
    if (const Json* l = top.Object("log")) {
      StrictObject o(*l, "log", errors);
      if (auto v = o.String("level")) c.log_level = *v;
      if (auto v = o.Bool("json")) c.log_json = *v;
      if (auto v = o.String("file")) c.log_file = *v;
      o.RejectUnknownKeys();
    }
    if (const Json* s = top.Object("server")) ParseServerSection(*s, c.server, errors);
    top.RejectUnknownKeys();
  }
  if (!errors.empty()) {
    std::string message = source + ": invalid configuration:";
    for (const auto& e : errors) message += "\n  " + e;
    return Status::InvalidArgument(message);
  }
  return c;
}

Result<Config> LoadConfig(const std::string& explicit_path) {
  std::vector<std::string> candidates;
  if (!explicit_path.empty()) return LoadFile(explicit_path);
  if (auto env = Env("REAGENT_CONFIG"); !env.empty()) return LoadFile(env);
  candidates.push_back("reagent.json");
  if (auto xdg = Env("XDG_CONFIG_HOME"); !xdg.empty()) {
    candidates.push_back(xdg + "/reagent/config.json");
  } else if (auto home = Env("HOME"); !home.empty()) {
    candidates.push_back(home + "/.config/reagent/config.json");
  }
  for (const auto& path : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return LoadFile(path);
  }
  Config c;
  c.source = "defaults";
  return c;
}

std::string ResolveDbPath(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (auto env = Env("REAGENT_DB"); !env.empty()) return env;
  return "reagent.db";
}

std::string ResolveCachePath(const Config& c) {
  return c.cache_file.empty() ? ResolveDbPath(c.db_path) + ".cache" : c.cache_file;
}

}  // namespace reagent
