// reagent's configuration file (JSON): models and their fallback order, budget, retry /
// breaker / limiter settings, sanitizer, tools, sessions, logging. Every key is optional;
// what is absent keeps its default. A wrong key or type is an error that names the key.
//
// Where it is looked for, first found wins: --config PATH, $REAGENT_CONFIG, ./reagent.json,
// $XDG_CONFIG_HOME/reagent/config.json (or ~/.config/reagent/config.json). None: defaults.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reagent/core/json.h"
#include "reagent/core/status.h"
#include "reagent/mcp/mcp_server_config.h"
#include "reagent/runtime/server_config.h"

namespace reagent {

struct ModelConfig {
  std::string model = "gpt-4.1-mini";              // the name sent to the endpoint
  std::string base_url;                            // empty: $OPENAI_BASE_URL or OpenAI's
  std::string api_key_env = "OPENAI_API_KEY";      // the key is read from this variable
  std::map<std::string, std::string> headers;      // extra HTTP headers (no CR/LF/NUL)
  double timeout_s = 60;                           // per request
  std::optional<double> price_input;               // USD per million tokens, overrides the table
  std::optional<double> price_cached_input;
  std::optional<double> price_output;
  // Pace and break this model through limiter.shared / breaker.shared when they are set;
  // false keeps its limiter and breaker in this process (a model only this replica calls).
  bool shared_state = true;
};

// How reagent talks to the Redis that holds state shared by several replicas
// (sessions.backend, limiter.shared, breaker.shared, cache as redis:// or unix:// URLs).
struct RedisConfig {
  std::string prefix = "reagent";  // every key starts with "<prefix>:"
  double connect_timeout_s = 2;
  double command_timeout_s = 2;
  int64_t pool_size = 8;           // connections per URL per process
  double lease_ttl_s = 15;         // a dead replica's turns expire within this
  double expired_retention_s = 0;  // expired sessions stay inspectable this long
  // Carry on from this process alone when Redis is unreachable ("fail_open": ["limiter",
  // "cache"]); everything else always fails closed.
  bool fail_open_limiter = false;
  bool fail_open_cache = false;
};

struct Config {
  std::string source;  // the file it came from, or "defaults"
  // The keys the file set, dotted to the second level ("agent.user", "limiter.rpm",
  // "limiter"): a front end with defaults of its own (batch) keeps what the user chose.
  std::set<std::string, std::less<>> file_keys;
  bool Sets(std::string_view key) const { return file_keys.count(key) > 0; }

  std::vector<ModelConfig> models{ModelConfig{}};  // fallback order

  // agent
  std::string mode = "react";  // react | tools
  std::string system_prompt = "You are a helpful assistant. Use tools when they help.";
  int max_steps = 10;
  int64_t max_output_tokens = 1024;
  int max_parallel_tools = 8;  // native tool calls of one reply run this many at a time
  int max_tool_calls_per_step = 16;  // a reply asking for more runs only the first ones
  std::string on_secret = "redact";  // a reply with the API key in it: redact | block
  std::optional<double> temperature;

  // budget per turn (0 = unlimited)
  int64_t budget_max_tokens = 8000;
  double budget_max_cost_usd = 0;
  double budget_deadline_s = 300;

  Json retry = Json::object();    // RetryPolicy overrides: max_attempts, base_s, cap_s, max_wait_s, strategy
  Json breaker = Json::object();  // BreakerOptions overrides: failure_threshold, open_s, half_open_trials
                                  // (+ "shared": a redis URL: one breaker state for every replica)
  Json limiter = Json::object();  // RateLimiter: rpm, tpm, period_s (default 60), concurrency
                                  // (+ "shared": a redis URL: one pace for every replica)
  // Response cache for deterministic requests (temperature 0): "cache": true (a SQLite file
  // beside the session database, so it serves across runs), a path, or a redis:// URL (one
  // cache shared by every replica, entries expiring after their TTL).
  bool cache = false;
  std::string cache_file;         // empty: ResolveCachePath's default
  std::string cache_backend;      // a redis URL when the cache lives in Redis

  // sanitizer
  std::vector<std::string> rule_files;
  std::optional<double> block_threshold;
  std::optional<int64_t> max_input_bytes;

  // tools
  std::vector<std::string> builtin_tools{"calculator", "current_time"};
  std::string tools_root = ".";   // read_file / list_dir confinement
  Json external_tools = Json::array();
  std::vector<McpServerConfig> mcp_servers;  // tools.mcp (see mcp_config.h); none: no process is started

  // sessions
  std::string db_path;            // empty: $REAGENT_DB or ./reagent.db; a redis:// URL: Redis
  double session_ttl_s = 3600;
  int64_t max_sessions = 10000;
  int64_t max_concurrent_per_user = 3;
  int64_t requests_per_minute = 30;
  double session_busy_wait_s = 0;  // a turn on a busy session waits this long, then fails
  std::string user = "cli";

  RedisConfig redis;

  // logging
  std::string log_level = "warn";
  bool log_json = false;
  std::string log_file;

  // `reagent serve` (see server_config.h)
  ServerConfig server;
};

// Parses a config object; errors name the file and the key.
Result<Config> ParseConfig(const Json& json, const std::string& source);

// Finds and loads the config as described above. `explicit_path` empty: search. Relative
// paths in a file (tools.root, tools.external[].argv[0] and cwd, sessions.db, cache,
// sanitizer.rule_files, log.file) are resolved against the file's folder, so a config works
// from any working directory.
Result<Config> LoadConfig(const std::string& explicit_path);

// The same resolution for a config parsed by the caller: `folder` is what relative paths the
// file set are relative to.
void ResolveRelativePaths(Config& config, const std::string& folder);

// The effective config as JSON, with every key shown and every default filled in (retry,
// breaker and limiter as the resilience layer will use them, prices from the built-in table)
// and secrets redacted (for `reagent config check`). API keys are never in the file; the
// variable names are shown with whether they are set.
Json EffectiveConfigJson(const Config& config);

// The session database path after defaults: config, $REAGENT_DB, ./reagent.db. May be a
// redis:// or unix:// URL (sessions.backend, --db), which puts the sessions in Redis.
std::string ResolveDbPath(const std::string& configured);

// Where the response cache lives when enabled: the file the config names, else beside the
// session database ("reagent.db" → "reagent.db.cache").
std::string ResolveCachePath(const Config& config);

}  // namespace reagent
