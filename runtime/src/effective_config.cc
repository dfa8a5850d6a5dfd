// EffectiveConfigJson: the configuration as the runtime will use it, every default filled in.
#include <cmath>
#include <cstdlib>

#include "reagent/llm/pricing.h"
#include "reagent/runtime/config.h"
#include "reagent/runtime/mcp_config.h"
#include "reagent/runtime/resilience_config.h"
#include "reagent/runtime/server_config.h"
#include "reagent/runtime/shared_state.h"
#include "reagent/sanitizer/sanitizer.h"

namespace reagent {
namespace {

std::string Env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

// A whole number prints as one ("ttl_s": 3600, not 3600.0).
Json Number(double x) {
  if (std::isfinite(x) && x == std::floor(x) && std::fabs(x) < 9e15) return Json(static_cast<int64_t>(x));
  return Json(x);
}

Json PriceJson(const ModelConfig& m) {
  if (m.price_input) {
    return {{"input", Number(*m.price_input)},
            {"cached_input", Number(m.price_cached_input.value_or(*m.price_input))},
            {"output", Number(m.price_output.value_or(0))},
            {"from", "config"}};
  }
  if (auto known = PriceTable::BuiltIn().Find(m.model)) {
    return {{"input", Number(known->input_per_mtok)},
            {"cached_input", Number(known->cached_input_per_mtok)},
            {"output", Number(known->output_per_mtok)},
            {"from", "built-in table"}};
  }
  return nullptr;  // unpriced: costs are unknown, and a cost limit is refused
}

Json ModelJson(const ModelConfig& m) {
  const std::string base_url = !m.base_url.empty()                 ? m.base_url
                               : !Env("OPENAI_BASE_URL").empty() ? Env("OPENAI_BASE_URL")
                                                                 : "https://api.openai.com/v1";
  Json headers = Json::object();
  for (const auto& [k, v] : m.headers) headers[k] = "(redacted)";
  return {{"model", m.model},
          {"base_url", base_url},
          {"api_key_env", m.api_key_env},
          {"api_key", Env(m.api_key_env).empty() ? "(not set)" : "(set, redacted)"},
          {"timeout_s", Number(m.timeout_s)},
          {"headers", headers},
          {"price", PriceJson(m)}};
}

// The retry, breaker and limiter objects as the resilience layer reads them: defaults first,
// the file's overrides on top.
Json ResilienceJson(const Config& c) {
  RetryPolicy retry;
  BreakerOptions breaker;
  RateLimiterOptions limiter;
  (void)ApplyRetry(c.retry, retry);  // already validated by BuildRuntime
  ApplyBreaker(c.breaker, breaker);
  ApplyLimiter(c.limiter, limiter);
  return {
      {"retry",
       {{"max_attempts", retry.max_attempts},
        {"base_s", Number(ToSeconds(retry.base))},
        {"cap_s", Number(ToSeconds(retry.cap))},
        {"max_wait_s", Number(ToSeconds(retry.max_hint_wait))},
        {"strategy", std::string(BackoffKindName(retry.backoff))},
        {"budget_ratio", Number(retry.budget_ratio)}}},
      {"breaker",
       {{"failure_threshold", breaker.failure_threshold},
        {"open_s", Number(ToSeconds(breaker.open_for))},
        {"half_open_trials", breaker.half_open_trials},
        {"window", breaker.window_calls},
        {"min_calls", breaker.min_calls},
        {"failure_ratio", Number(breaker.failure_rate)}}},
      // rpm/tpm 0: not paced until the provider's x-ratelimit headers tell the limits.
      {"limiter",
       {{"rpm", Number(limiter.requests_per_period)},
        {"tpm", Number(limiter.tokens_per_period)},
        {"period_s", Number(ToSeconds(limiter.period))},
        {"concurrency", limiter.max_concurrency}}},
  };
}

// "sqlite:reagent.db" or "redis://:***@host:6379/0".
std::string SessionsBackendText(const Config& c) {
  const std::string where = ResolveDbPath(c.db_path);
  return IsRedisUrl(where) ? RedactedRedisUrl(where) : "sqlite:" + where;
}

// A "shared" URL of the breaker or limiter overrides, its password hidden; null when unset.
Json SharedUrlJson(const Json& overrides) {
  if (!overrides.contains("shared") || !overrides["shared"].is_string()) return nullptr;
  return RedactedRedisUrl(overrides["shared"].get<std::string>());
}

Json CacheJson(const Config& c) {
  if (!c.cache) return false;
  if (!c.cache_backend.empty()) return RedactedRedisUrl(c.cache_backend);
  return ResolveCachePath(c);
}

}  // namespace

Json EffectiveConfigJson(const Config& c) {
  Json models = Json::array();
  for (const auto& m : c.models) models.push_back(ModelJson(m));
  const SanitizerOptions sanitizer_defaults;
  Json j = {
      {"source", c.source},
      {"models", models},
      {"agent",
       {{"mode", c.mode},
        {"system", c.system_prompt},
        {"max_steps", c.max_steps},
        {"max_output_tokens", c.max_output_tokens},
        {"max_parallel_tools", c.max_parallel_tools},
        {"max_tool_calls_per_step", c.max_tool_calls_per_step},
        {"on_secret", c.on_secret},
        {"temperature", c.temperature ? Number(*c.temperature) : Json(nullptr)},  // null: the model's
        {"user", c.user}}},
      {"budget",
       {{"max_tokens", c.budget_max_tokens},
        {"max_cost_usd", Number(c.budget_max_cost_usd)},
        {"deadline_s", Number(c.budget_deadline_s)}}},
      {"cache", CacheJson(c)},
      {"sanitizer",
       {{"rule_files", c.rule_files},
        {"block_threshold", Number(c.block_threshold.value_or(sanitizer_defaults.block_threshold))},
        {"max_input_bytes",
         c.max_input_bytes.value_or(static_cast<int64_t>(sanitizer_defaults.max_input_bytes))}}},
      {"tools", {{"builtin", c.builtin_tools}, {"root", c.tools_root}, {"external", c.external_tools},
                 {"mcp", McpServersJson(c.mcp_servers)}}},
      {"sessions",
       {{"backend", SessionsBackendText(c)},
        {"db", IsRedisUrl(ResolveDbPath(c.db_path)) ? RedactedRedisUrl(ResolveDbPath(c.db_path))
                                                     : ResolveDbPath(c.db_path)},
        {"ttl_s", Number(c.session_ttl_s)},
        {"max_sessions", c.max_sessions},
        {"max_concurrent_per_user", c.max_concurrent_per_user},
        {"requests_per_minute", c.requests_per_minute},
        {"busy_wait_s", Number(c.session_busy_wait_s)}}},
      {"log", {{"level", c.log_level}, {"json", c.log_json}, {"file", c.log_file}}},
      {"server", ServerConfigJson(c.server)},
      {"redis", RedisConfigJson(c.redis)},
  };
  const Json resilience = ResilienceJson(c);
  for (const auto& [key, value] : resilience.items()) j[key] = value;
  // Where the breaker and pacing state live: null in this process, else the Redis URL.
  j["breaker"]["shared"] = SharedUrlJson(c.breaker);
  j["limiter"]["shared"] = SharedUrlJson(c.limiter);
  return j;
}

}  // namespace reagent
