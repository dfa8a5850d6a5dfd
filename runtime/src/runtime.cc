#include "reagent/runtime/runtime.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include <spdlog/common.h>

#include "reagent/core/logging.h"
#include "reagent/core/random.h"
#include "reagent/llm/caching_model.h"
#include "reagent/llm/openai_chat_model.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/llm/sqlite_response_cache.h"
#include "reagent/session/in_memory_session_store.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tokenizer/token_counter.h"
#include "reagent/tools/builtin_tools.h"
#include "reagent/tools/external_tool.h"
#include "reagent/runtime/resilience_config.h"
#include "reagent/runtime/shared_state.h"
#include "reagent/runtime/strict_json.h"

namespace reagent {
namespace {

namespace fs = std::filesystem;

// The screen for MCP tool descriptions: anything the injection filter does not pass as clean
// keeps the tool away from the model.
std::optional<std::string> ScreenToolText(const Sanitizer& sanitizer, std::string_view text) {
  const ScanResult r = sanitizer.Scan(text, TextSource::kTool);
  if (r.verdict == Verdict::kAllow) return std::nullopt;
  std::string categories;
  for (const auto& cat : r.categories) categories += (categories.empty() ? "" : ", ") + cat;
  return fmt::format("the injection filter {} its description ({}; score {:.2f})",
                     r.verdict == Verdict::kBlock ? "blocked" : "flagged", categories.empty() ? "no category" : categories,
                     r.score);
}

uint64_t McpGeneration(const Runtime& rt) {
  uint64_t g = 0;
  for (const auto& s : rt.mcp_servers) g += s->generation();
  return g;
}


// Every configuration mistake is InvalidArgument "key: what is wrong", whatever code the
// component that found it used (a missing rule file is NotFound to the sanitizer).
Status KeyError(const std::string& key, const Status& s) {
  return Status::InvalidArgument(key + ": " + s.message());
}
Status KeyError(const std::string& key, const std::string& message) {
  return Status::InvalidArgument(key + ": " + message);
}

// A file the runtime will write (database, cache, log): it exists as a regular file, or
// its directory exists so it can be created. Checked without creating anything.
Status CheckWritableFile(const std::string& key, const std::string& path) {
  std::error_code ec;
  const fs::path p(path);
  if (fs::exists(p, ec)) {
    if (!fs::is_regular_file(p, ec)) return KeyError(key, "\"" + path + "\" is not a regular file");
    if (access(path.c_str(), R_OK | W_OK) != 0) return KeyError(key, "\"" + path + "\" is not readable and writable");
    return Status::Ok();
  }
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec)) {
    return KeyError(key, "cannot create \"" + path + "\": directory \"" + dir.string() + "\" does not exist");
  }
  if (access(dir.c_str(), W_OK) != 0) {
    return KeyError(key, "cannot create \"" + path + "\": directory \"" + dir.string() + "\" is not writable");
  }
  return Status::Ok();
}

Status CheckLogging(const Config& c) {
  const auto level = spdlog::level::from_str(c.log_level);
  if (level == spdlog::level::off && c.log_level != "off") {
    return KeyError("log.level", "unknown level \"" + c.log_level +
                                     "\" (expected trace, debug, info, warn, error, critical or off)");
  }
  if (!c.log_file.empty()) return CheckWritableFile("log.file", c.log_file);
  return Status::Ok();
}

// The program of an external tool: a path (with a '/') must be an executable file; a bare
// name must be found on $PATH, as the tool will be started.
Status CheckProgram(const std::string& key, const std::string& program) {
  std::error_code ec;
  if (program.find('/') != std::string::npos) {
    if (!fs::is_regular_file(program, ec) || access(program.c_str(), X_OK) != 0) {
      return KeyError(key, "\"" + program + "\" is not an executable file");
    }
    return Status::Ok();
  }
  const char* path = std::getenv("PATH");
  std::string_view dirs = path ? path : "";
  while (true) {
    const size_t colon = dirs.find(':');
    const std::string dir(dirs.substr(0, colon));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return Status::Ok();
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return KeyError(key, "program \"" + program + "\" is not on $PATH");
}

std::shared_ptr<PriceTable> BuildPrices(const Config& c) {
  auto prices = std::make_shared<PriceTable>();
  for (const auto& m : c.models) {
    if (!m.price_input) continue;
    ModelPrice price;
    price.input_per_mtok = *m.price_input;
    price.cached_input_per_mtok = m.price_cached_input.value_or(*m.price_input);
    price.output_per_mtok = m.price_output.value_or(0);
    if (auto known = PriceTable::BuiltIn().Find(m.model)) price.context_window = known->context_window;
    prices->Set(m.model, price);
  }
  return prices;
}

Result<std::shared_ptr<const Sanitizer>> BuildSanitizer(const Config& c) {
  SanitizerOptions so;
  for (size_t i = 0; i < c.rule_files.size(); ++i) {
    // Named here: the sanitizer's own error would not say which key listed the file.
    if (auto doc = ReadJsonFile(c.rule_files[i]); !doc.ok()) {
      return KeyError(IndexPath("sanitizer.rule_files", i), doc.status());
    }
  }
  so.rule_files = c.rule_files;
  if (c.block_threshold) {
    if (!(*c.block_threshold > 0 && *c.block_threshold <= 1)) {
      return KeyError("sanitizer.block_threshold", "must be in (0, 1], got " + DumpJson(*c.block_threshold));
    }
    so.block_threshold = *c.block_threshold;
    // A block threshold below the redact threshold leaves no redact band (not an error).
    so.redact_threshold = std::min(so.redact_threshold, so.block_threshold);
  }
  if (c.max_input_bytes) so.max_input_bytes = static_cast<size_t>(*c.max_input_bytes);
  auto sanitizer = Sanitizer::Create(so);
  if (!sanitizer.ok()) return KeyError("sanitizer", sanitizer.status());
  return *sanitizer;
}

// Built-ins and external programs, each checked (the MCP servers' tools are added later).
Result<std::shared_ptr<ToolRegistry>> BuildStaticTools(const Config& c) {
  std::error_code ec;
  if (!fs::is_directory(c.tools_root, ec)) {
    return KeyError("tools.root", "\"" + c.tools_root + "\" is not an existing directory");
  }
  auto tools = std::make_shared<ToolRegistry>();
  BuiltinToolOptions bo;
  bo.files.root = c.tools_root;
  for (size_t i = 0; i < c.builtin_tools.size(); ++i) {
    const std::string key = IndexPath("tools.builtin", i);
    auto tool = MakeBuiltinTool(c.builtin_tools[i], bo);
    if (!tool.ok()) return KeyError(key, tool.status());
    if (Status s = tools->Register(*tool); !s.ok()) return KeyError(key, s);
  }
  if (c.external_tools.empty()) return tools;
  auto external = LoadToolsFromJson(c.external_tools, "tools.external");
  if (!external.ok()) return Status::InvalidArgument(external.status().message());
  for (size_t i = 0; i < external->size(); ++i) {
    const std::string key = IndexPath("tools.external", i);
    const Json& argv = c.external_tools[i]["argv"];
    REAGENT_RETURN_IF_ERROR(CheckProgram(key + ".argv[0]", argv[0].get<std::string>()));
    if (Status s = tools->Register((*external)[i]); !s.ok()) return KeyError(key + ".name", s);
  }
  return tools;
}

Result<ResilienceOptions> BuildResilience(const Config& c) {
  ResilienceOptions ro;
  REAGENT_RETURN_IF_ERROR(ApplyRetry(c.retry, ro.retry));
  ApplyBreaker(c.breaker, ro.breaker);
  ApplyLimiter(c.limiter, ro.limiter);
  // The components' own checks already name the key ("retry.max_attempts must be >= 1").
  for (const Status& s : {ro.retry.Validate(), ro.breaker.Validate(), ro.limiter.Validate()}) {
    if (!s.ok()) return Status::InvalidArgument(s.message());
  }
  return ro;
}

// `shared_state`: attach the Redis pacing and breaker state limiter.shared / breaker.shared
// name (connecting to Redis); without it every model keeps its state in this process.
Result<std::shared_ptr<FallbackChain>> BuildChain(const Config& c, const ResilienceOptions& ro, bool shared_state) {
  std::vector<ResilientModelSpec> specs;
  for (size_t i = 0; i < c.models.size(); ++i) {
    const ModelConfig& m = c.models[i];
    OpenAIChatModelOptions mo;
    mo.model = m.model;
    mo.base_url = m.base_url;
    mo.api_key_env = m.api_key_env;
    for (const auto& [k, v] : m.headers) mo.extra_headers.emplace_back(k, v);
    mo.request_timeout = Seconds(m.timeout_s);
    TokenCounter counter = TokenCounter::ForModel(m.model);
    mo.count_text_tokens = [counter](std::string_view text) { return counter.Count(text); };
    auto model = OpenAIChatModel::Create(mo);
    if (!model.ok()) return KeyError(IndexPath("models", i), model.status());
    specs.push_back({.model = std::shared_ptr<ChatModel>(std::move(*model)), .model_name = m.model});
  }
  if (shared_state) REAGENT_RETURN_IF_ERROR(AttachSharedModelState(c, specs, SystemClock::Default()));
  auto chain = MakeResilientModel(std::move(specs), ro, SystemClock::Default(), DefaultRandom());
  if (!chain.ok()) return Status::InvalidArgument(chain.status().message());
  return *chain;
}

// A cost limit needs a price for every model that may answer, or it could not be enforced.
Status CheckCostLimit(const Config& c, const PriceTable& prices) {
  if (!(c.budget_max_cost_usd > 0)) return Status::Ok();
  for (size_t i = 0; i < c.models.size(); ++i) {
    if (!prices.Find(c.models[i].model)) {
      return KeyError("budget.max_cost_usd",
                      "a cost limit is set but " + IndexPath("models", i) + " (\"" + c.models[i].model +
                          "\") is unpriced; give it a \"price\" or remove the limit");
    }
  }
  return Status::Ok();
}

SqliteSessionStoreOptions SessionOptions(const Config& c) {
  SqliteSessionStoreOptions o;
  o.path = ResolveDbPath(c.db_path);
  o.store.ttl = Seconds(c.session_ttl_s);
  o.store.max_sessions = c.max_sessions;
  o.store.max_concurrent_turns_per_user = static_cast<int>(c.max_concurrent_per_user);
  o.store.max_requests_per_window = static_cast<int>(c.requests_per_minute);
  o.store.busy_wait = Seconds(c.session_busy_wait_s);
  return o;
}

// The checked built-ins and external programs, then the MCP servers' tools (prefixed where
// names collide).
Status BuildTools(Runtime& rt) {
  REAGENT_ASSIGN_OR_RETURN(auto tools, BuildStaticTools(rt.config));
  if (!rt.mcp_servers.empty()) {
    rt.mcp_generation = McpGeneration(rt);
    std::vector<std::string> skipped;
    for (auto& tool : MakeMcpTools(rt.mcp_servers, tools->Names(), &skipped)) {
      if (Status s = tools->Register(tool); !s.ok()) skipped.push_back(s.message());
    }
    for (const auto& why : skipped) {
      Logger()->warn("{}", why);
      rt.mcp_problems.push_back(why);
    }
  }
  rt.tools = std::move(tools);
  return Status::Ok();
}

// The agent, validated like the rest (its errors name AgentOptions fields).
Status BuildAgent(Runtime& rt) {
  const Config& c = rt.config;
  AgentOptions ao;
  ao.system_prompt = c.system_prompt;
  ao.mode = c.mode == "tools" ? AgentOptions::Mode::kTools : AgentOptions::Mode::kReact;
  ao.max_steps = c.max_steps;
  ao.max_parallel_tools = c.max_parallel_tools;
  ao.max_tool_calls_per_step = c.max_tool_calls_per_step;
  ao.on_secret = c.on_secret == "block" ? AgentOptions::SecretPolicy::kBlock : AgentOptions::SecretPolicy::kRedact;
  ao.budget.max_tokens = c.budget_max_tokens;
  ao.budget.max_cost_usd = c.budget_max_cost_usd;
  ao.budget.deadline = Seconds(c.budget_deadline_s);
  ao.max_output_tokens = c.max_output_tokens;
  ao.temperature = c.temperature;
  ao.user_id = c.user;
  ao.stream = rt.stream;
  AgentDeps deps;
  deps.model = rt.model;
  for (const auto& m : c.models) deps.model_names.push_back(m.model);
  deps.model_name = deps.model_names.front();
  deps.sanitizer = rt.sanitizer;
  deps.sessions = rt.sessions;
  deps.tools = rt.tools;
  auto prices = rt.prices;
  deps.cost = [prices](const std::string& model, const Usage& usage) {
    return prices->Cost(model, usage);  // the built-in table plus the config's overrides
  };
  auto agent = Agent::Create(std::move(ao), std::move(deps));
  if (!agent.ok()) return Status::InvalidArgument(agent.status().message());
  rt.agent = std::move(*agent);
  return Status::Ok();
}

}  // namespace

std::vector<std::shared_ptr<McpServer>> StartMcpServers(const std::vector<McpServerConfig>& configs,
                                                        std::shared_ptr<const Sanitizer> sanitizer,
                                                        std::vector<std::string>* problems) {
  // Warnings during start-up are collected for the caller; later ones (a list_changed
  // refresh) only reach the log, since the servers outlive this call.
  struct Collector {
    std::mutex mu;
    std::vector<std::string> items;
    bool open = true;
  };
  auto collector = std::make_shared<Collector>();
  std::vector<Result<std::shared_ptr<McpServer>>> started(configs.size(), Status::Internal("not started"));
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < configs.size(); ++i) {
    threads.emplace_back([&, i] {
      McpServerOptions o;
      if (sanitizer) o.screen = [sanitizer](std::string_view text) { return ScreenToolText(*sanitizer, text); };
      o.warn = [collector](const std::string& warning) {
        Logger()->warn("{}", warning);
        std::lock_guard lock(collector->mu);
        if (collector->open) collector->items.push_back(warning);
      };
      started[i] = McpServer::Start(configs[i], o);
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::shared_ptr<McpServer>> out;
  std::lock_guard lock(collector->mu);
  collector->open = false;
  if (problems) problems->insert(problems->end(), collector->items.begin(), collector->items.end());
  for (std::size_t i = 0; i < configs.size(); ++i) {
    if (started[i].ok()) {
      out.push_back(std::move(*started[i]));
      continue;
    }
    const std::string why = "mcp server \"" + configs[i].name + "\" (" + DescribeMcpEndpoint(configs[i]) +
                            ") did not start: " + started[i].status().message();
    Logger()->warn("{}; its tools are not available", why);
    if (problems) problems->push_back(why);
  }
  return out;
}

Result<std::shared_ptr<const Sanitizer>> MakeSanitizer(const Config& c) { return BuildSanitizer(c); }

Result<bool> RefreshMcpTools(Runtime& rt) {
  if (rt.mcp_servers.empty() || McpGeneration(rt) == rt.mcp_generation) return false;
  REAGENT_RETURN_IF_ERROR(BuildTools(rt));
  REAGENT_RETURN_IF_ERROR(BuildAgent(rt));
  return true;
}

Result<std::shared_ptr<SessionStore>> OpenSessions(const Config& c) {
  if (const std::string where = ResolveDbPath(c.db_path); IsRedisUrl(where)) return OpenRedisSessions(where, c);
  auto store = OpenSqliteSessionStore(SessionOptions(c), SystemClock::Default());
  if (!store.ok()) return store.status();
  return std::shared_ptr<SessionStore>(std::move(*store));
}

Result<std::unique_ptr<Runtime>> BuildRuntime(const Config& c, const RuntimeOptions& options) {
  auto rt = std::make_unique<Runtime>();
  rt->config = c;

  // 1. Everything that can be checked without touching anything outside the process.
  REAGENT_RETURN_IF_ERROR(CheckLogging(c));
  rt->prices = BuildPrices(c);
  REAGENT_RETURN_IF_ERROR(CheckCostLimit(c, *rt->prices));
  REAGENT_ASSIGN_OR_RETURN(rt->sanitizer, BuildSanitizer(c));
  REAGENT_ASSIGN_OR_RETURN(rt->tools, BuildStaticTools(c));
  REAGENT_ASSIGN_OR_RETURN(rt->resilience, BuildResilience(c));
  REAGENT_ASSIGN_OR_RETURN(rt->chain, BuildChain(c, rt->resilience, options.side_effects));
  const SqliteSessionStoreOptions session_options = SessionOptions(c);
  if (!IsRedisUrl(session_options.path)) {
    REAGENT_RETURN_IF_ERROR(CheckWritableFile("sessions.db", session_options.path));
  }
  if (c.cache && c.cache_backend.empty()) REAGENT_RETURN_IF_ERROR(CheckWritableFile("cache", ResolveCachePath(c)));

  // 2. The parts with side effects, or their stand-ins.
  rt->model = rt->chain;
  if (options.side_effects) {
    REAGENT_RETURN_IF_ERROR(
        ConfigureLogging({.level = c.log_level, .json = c.log_json, .file = c.log_file}));
    REAGENT_ASSIGN_OR_RETURN(rt->sessions, OpenSessions(c));
    if (c.cache) {
      REAGENT_ASSIGN_OR_RETURN(std::shared_ptr<ResponseCache> cache, MakeResponseCache(c, SystemClock::Default()));
      rt->model = std::make_shared<CachingModel>(rt->chain, std::move(cache));
    }
  } else {
    rt->sessions = MakeInMemorySessionStore(session_options.store, SystemClock::Default());
  }

  // 3. The MCP servers' tools (started only with side effects: `config check` starts them
  // itself unless --offline), then the agent.
  rt->stream = options.stream;
  if (options.side_effects && !c.mcp_servers.empty()) {
    rt->mcp_servers = StartMcpServers(c.mcp_servers, rt->sanitizer, &rt->mcp_problems);
    REAGENT_RETURN_IF_ERROR(BuildTools(*rt));
  }
  REAGENT_RETURN_IF_ERROR(BuildAgent(*rt));
  return rt;
}

}  // namespace reagent
