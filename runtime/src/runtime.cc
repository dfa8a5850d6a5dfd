#include "reagent/runtime/runtime.h"

#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "reagent/core/logging.h"
#include "reagent/core/random.h"
#include "reagent/llm/caching_model.h"
#include "reagent/llm/openai_chat_model.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tokenizer/token_counter.h"
#include "reagent/tools/builtin_tools.h"
#include "reagent/tools/external_tool.h"
#include "reagent/runtime/resilience_config.h"

namespace reagent {

namespace {

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

// Built-ins, external programs, then the MCP servers' tools (prefixed where names collide).
Status BuildTools(Runtime& rt) {
  const Config& c = rt.config;
  auto tools = std::make_shared<ToolRegistry>();
  BuiltinToolOptions bo;
  bo.files.root = c.tools_root;
  for (const auto& name : c.builtin_tools) {
    auto tool = MakeBuiltinTool(name, bo);
    if (!tool.ok()) return tool.status().WithContext("tools.builtin");
    REAGENT_RETURN_IF_ERROR(tools->Register(*tool));
  }
  if (!c.external_tools.empty()) {
    auto external = LoadToolsFromJson(c.external_tools);
    if (!external.ok()) return external.status().WithContext("tools.external");
    for (auto& tool : *external) REAGENT_RETURN_IF_ERROR(tools->Register(tool));
  }
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

Status BuildAgent(Runtime& rt, const std::vector<std::string>& names) {
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
  deps.model_name = names.front();
  deps.model_names = names;
  deps.sanitizer = rt.sanitizer;
  deps.sessions = rt.sessions;
  deps.tools = rt.tools;
  auto prices = rt.prices;
  deps.cost = [prices](const std::string& model, const Usage& usage) {
    return prices->Cost(model, usage);  // the built-in table plus the config's overrides
  };
  auto agent = Agent::Create(std::move(ao), std::move(deps));
  if (!agent.ok()) return agent.status();
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

Result<std::shared_ptr<const Sanitizer>> MakeSanitizer(const Config& c) {
  SanitizerOptions so;
  so.rule_files = c.rule_files;
  if (c.block_threshold) so.block_threshold = *c.block_threshold;
  if (c.max_input_bytes) so.max_input_bytes = static_cast<size_t>(*c.max_input_bytes);
  auto sanitizer = Sanitizer::Create(so);
  if (!sanitizer.ok()) return sanitizer.status().WithContext("sanitizer");
  return std::shared_ptr<const Sanitizer>(*sanitizer);
}

Result<bool> RefreshMcpTools(Runtime& rt) {
  if (rt.mcp_servers.empty() || McpGeneration(rt) == rt.mcp_generation) return false;
  REAGENT_RETURN_IF_ERROR(BuildTools(rt));
  std::vector<std::string> names;
  for (const auto& m : rt.config.models) names.push_back(m.model);
  REAGENT_RETURN_IF_ERROR(BuildAgent(rt, names));
  return true;
}

Result<std::shared_ptr<SessionStore>> OpenSessions(const Config& c) {
  SqliteSessionStoreOptions o;
  o.path = ResolveDbPath(c.db_path);
  o.store.ttl = Seconds(c.session_ttl_s);
  o.store.max_sessions = c.max_sessions;
  o.store.max_concurrent_turns_per_user = static_cast<int>(c.max_concurrent_per_user);
  o.store.max_requests_per_window = static_cast<int>(c.requests_per_minute);
  o.store.busy_wait = Seconds(c.session_busy_wait_s);
  auto store = OpenSqliteSessionStore(o, SystemClock::Default());
  if (!store.ok()) return store.status();
  return std::shared_ptr<SessionStore>(std::move(*store));
}

Result<std::unique_ptr<Runtime>> BuildRuntime(const Config& c, bool stream) {
  auto rt = std::make_unique<Runtime>();
  rt->config = c;
  rt->stream = stream;
  REAGENT_RETURN_IF_ERROR(
      ConfigureLogging({.level = c.log_level, .json = c.log_json, .file = c.log_file}));

  rt->prices = std::make_shared<PriceTable>();
  for (const auto& m : c.models) {
    if (!m.price_input) continue;
    ModelPrice price;
    price.input_per_mtok = *m.price_input;
    price.cached_input_per_mtok = m.price_cached_input.value_or(*m.price_input);
    price.output_per_mtok = m.price_output.value_or(0);
    if (auto known = PriceTable::BuiltIn().Find(m.model)) price.context_window = known->context_window;
    rt->prices->Set(m.model, price);
  }

  auto sanitizer = MakeSanitizer(c);
  if (!sanitizer.ok()) return sanitizer.status();
  rt->sanitizer = *sanitizer;

  auto sessions = OpenSessions(c);
  if (!sessions.ok()) return sessions.status();
  rt->sessions = *sessions;

  if (!c.mcp_servers.empty()) rt->mcp_servers = StartMcpServers(c.mcp_servers, rt->sanitizer, &rt->mcp_problems);
  REAGENT_RETURN_IF_ERROR(BuildTools(*rt));

  std::vector<ResilientModelSpec> specs;
  std::vector<std::string> names;
  for (const auto& m : c.models) {
    OpenAIChatModelOptions mo;
    mo.model = m.model;
    mo.base_url = m.base_url;
    mo.api_key_env = m.api_key_env;
    for (const auto& [k, v] : m.headers) mo.extra_headers.emplace_back(k, v);
    mo.request_timeout = Seconds(m.timeout_s);
    TokenCounter counter = TokenCounter::ForModel(m.model);
    mo.count_text_tokens = [counter](std::string_view text) { return counter.Count(text); };
    auto model = OpenAIChatModel::Create(mo);
    if (!model.ok()) return model.status().WithContext("models." + m.model);
    specs.push_back({.model = std::shared_ptr<ChatModel>(std::move(*model)), .model_name = m.model});
    names.push_back(m.model);
  }
  ResilienceOptions ro;
  REAGENT_RETURN_IF_ERROR(ApplyRetry(c.retry, ro.retry));
  ApplyBreaker(c.breaker, ro.breaker);
  ApplyLimiter(c.limiter, ro.limiter);
  auto chain = MakeResilientModel(std::move(specs), ro, SystemClock::Default(), DefaultRandom());
  if (!chain.ok()) return chain.status();
  rt->chain = *chain;
  rt->model = rt->chain;
  if (c.cache) {
    auto cache = std::make_shared<InMemoryResponseCache>(SystemClock::Default());
    rt->model = std::make_shared<CachingModel>(rt->chain, cache);
  }

  REAGENT_RETURN_IF_ERROR(BuildAgent(*rt, names));
  return rt;
}

}  // namespace reagent
