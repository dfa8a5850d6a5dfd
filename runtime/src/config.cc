#include "reagent/runtime/config.h"

#include <cstdlib>
#include <filesystem>

#include "reagent/runtime/mcp_config.h"
#include "reagent/core/abbreviate.h"
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
  if (const Json* p = o.Object("price")) {
    StrictObject price(*p, o.PathOf("price"), errors);
    m.price_input = price.Number("input", true, 0);
    m.price_cached_input = price.Number("cached_input", false, 0);
    m.price_output = price.Number("output", true, 0);
    price.RejectUnknownKeys();
  }
  o.RejectUnknownKeys();
}

}  // namespace

Result<Config> ParseConfig(const Json& json, const std::string& source) {
  std::vector<std::string> errors;
  Config c;
  c.source = source;
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
    c.breaker = top.Overrides("breaker", kBreakerKeys, {}, kBreakerIntKeys);
    c.limiter = top.Overrides("limiter", kLimiterKeys, {}, kLimiterIntKeys);
    if (auto v = top.Bool("cache")) c.cache = *v;
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
  if (!explicit_path.empty()) {
    REAGENT_ASSIGN_OR_RETURN(Json json, ReadJsonFile(explicit_path));
    return ParseConfig(json, explicit_path);
  }
  if (auto env = Env("REAGENT_CONFIG"); !env.empty()) {
    REAGENT_ASSIGN_OR_RETURN(Json json, ReadJsonFile(env));
    return ParseConfig(json, env);
  }
  candidates.push_back("reagent.json");
  if (auto xdg = Env("XDG_CONFIG_HOME"); !xdg.empty()) {
    candidates.push_back(xdg + "/reagent/config.json");
  } else if (auto home = Env("HOME"); !home.empty()) {
    candidates.push_back(home + "/.config/reagent/config.json");
  }
  for (const auto& path : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      REAGENT_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path));
      return ParseConfig(json, path);
    }
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

Json EffectiveConfigJson(const Config& c) {
  Json models = Json::array();
  for (const auto& m : c.models) {
    Json jm = {{"model", m.model},
               {"base_url", m.base_url.empty() ? (Env("OPENAI_BASE_URL").empty()
                                                      ? "https://api.openai.com/v1"
                                                      : Env("OPENAI_BASE_URL"))
                                               : m.base_url},
               {"api_key_env", m.api_key_env},
               {"api_key", Env(m.api_key_env.c_str()).empty() ? "(not set)" : "(set, redacted)"},
               {"timeout_s", m.timeout_s}};
    Json headers = Json::object();
    for (const auto& [k, v] : m.headers) headers[k] = "(redacted)";
    jm["headers"] = headers;
    if (m.price_input) {
      jm["price"] = {{"input", *m.price_input}, {"output", m.price_output.value_or(0)}};
      if (m.price_cached_input) jm["price"]["cached_input"] = *m.price_cached_input;
    }
    models.push_back(jm);
  }
  Json agent = {{"mode", c.mode}, {"system", c.system_prompt}, {"max_steps", c.max_steps},
                {"max_output_tokens", c.max_output_tokens},
                {"max_parallel_tools", c.max_parallel_tools},
                {"max_tool_calls_per_step", c.max_tool_calls_per_step},
                {"on_secret", c.on_secret}, {"user", c.user}};
  if (c.temperature) agent["temperature"] = *c.temperature;
  Json sanitizer = {{"rule_files", c.rule_files}};
  if (c.block_threshold) sanitizer["block_threshold"] = *c.block_threshold;
  if (c.max_input_bytes) sanitizer["max_input_bytes"] = *c.max_input_bytes;
  return {
      {"source", c.source},
      {"models", models},
      {"agent", agent},
      {"budget", {{"max_tokens", c.budget_max_tokens}, {"max_cost_usd", c.budget_max_cost_usd},
                  {"deadline_s", c.budget_deadline_s}}},
      {"retry", c.retry},
      {"breaker", c.breaker},
      {"limiter", c.limiter},
      {"cache", c.cache},
      {"sanitizer", sanitizer},
      {"tools", {{"builtin", c.builtin_tools}, {"root", c.tools_root}, {"external", c.external_tools},
                 {"mcp", McpServersJson(c.mcp_servers)}}},
      {"sessions", {{"db", ResolveDbPath(c.db_path)}, {"ttl_s", c.session_ttl_s},
                    {"max_sessions", c.max_sessions},
                    {"max_concurrent_per_user", c.max_concurrent_per_user},
                    {"requests_per_minute", c.requests_per_minute},
                    {"busy_wait_s", c.session_busy_wait_s}}},
      {"log", {{"level", c.log_level}, {"json", c.log_json}, {"file", c.log_file}}},
      {"server", ServerConfigJson(c.server)},
  };
}

}  // namespace reagent
