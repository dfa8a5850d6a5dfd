#include "reagent/testing/scenario_runner.h"

#include <filesystem>
#include <mutex>

#include "reagent/agent/agent.h"
#include "reagent/core/clock.h"
#include "reagent/core/random.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/llm/scripted_model.h"
#include "reagent/sanitizer/sanitizer.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tokenizer/token_counter.h"
#include "reagent/tools/builtin_tools.h"
#include "reagent/tools/scripted_tool.h"
#include "reagent/tools/tool_registry.h"
#include "reagent/testing/expectations.h"
#include "reagent/runtime/resilience_config.h"

namespace reagent {
namespace {

namespace fs = std::filesystem;

// Jitter in a scenario is reproducible: the same file waits the same simulated time.
constexpr uint64_t kScenarioSeed = 20250101;

// Script faults (a model called with an empty queue, usage over max_tokens) are mistakes in
// the scenario, not provider behaviour: they fail the scenario whatever the agent made of
// them. This records the first one seen by any model.
class ScriptFaults {
 public:
  void Record(std::string message) {
    std::lock_guard lock(mu_);
    if (first_.empty()) first_ = std::move(message);
  }
  std::string Take() {
    std::lock_guard lock(mu_);
    return std::exchange(first_, {});
  }

 private:
  std::mutex mu_;
  std::string first_;
};

// Passes calls to a ScriptedModel and notes script faults.
class FaultRecordingModel final : public ChatModel {
 public:
  FaultRecordingModel(std::shared_ptr<ScriptedModel> inner, ScriptFaults& faults)
      : inner_(std::move(inner)), faults_(faults) {}
  ChatResult Complete(const ChatRequest& request) override { return Note(inner_->Complete(request)); }
  ChatResult Stream(const ChatRequest& request, const DeltaCallback& on_delta) override {
    return Note(inner_->Stream(request, on_delta));
  }
  std::string name() const override { return inner_->name(); }

 private:
  ChatResult Note(ChatResult r) {
    if (!r.ok() && IsScriptFault(r.error())) faults_.Record(r.error().message);
    return r;
  }
  std::shared_ptr<ScriptedModel> inner_;
  ScriptFaults& faults_;
};

// A temporary directory removed with everything in it when the run ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "reagent-scenario-XXXXXX").string();
    if (mkdtemp(pattern.data())) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

ScenarioRun Fail(std::string why, const ManualClock& clock) {
  return {false, std::move(why), ToSeconds(clock.Now().time_since_epoch())};
}

// Every scenario uses the default sanitizer; it is immutable and thread-safe, so one instance
// serves every scenario of the process instead of each compiling the rules again.
Result<std::shared_ptr<const Sanitizer>> DefaultSanitizer() {
  static const Result<std::shared_ptr<const Sanitizer>> shared = Sanitizer::Create();
  return shared;
}

TurnOutcome ToOutcome(const TurnResult& r) {
  TurnOutcome t;
  t.final_answer = r.final_answer;
  t.stop_reason = std::string(StopReasonName(r.stop_reason));
  t.tool_calls = r.tool_calls;
  t.steps = r.steps;
  t.retries = r.retries;
  t.fallbacks = r.fallbacks;
  t.model_used = r.model_used;
  t.observations = r.observations;
  t.cost_usd = r.usage.cost_usd;
  t.tokens = r.usage.total_tokens();
  t.blocked = r.blocked;
  return t;
}

}  // namespace

ScenarioRun RunScenario(const Scenario& s) {
  ManualClock clock;
  SeededRandom random(kScenarioSeed);
  ScriptFaults faults;
  const std::string& primary = s.agent.models.front();

  // Models: each scripted, wrapped in the real resilience stack.
  const TokenCounter agent_counter = TokenCounter::ForModel(primary);
  std::vector<ResilientModelSpec> specs;
  for (const auto& name : s.agent.models) {
    ScriptedModelOptions mo;
    mo.request_timeout = Seconds(s.agent.request_timeout_s);
    // Only what the expectations need: no copies of requests (each holds the whole history).
    mo.record_requests = false;
    TokenCounter model_counter = TokenCounter::ForModel(name);
    // The agent counts every prompt exactly with the primary model's encoding; a model with
    // the same encoding takes that count instead of re-tokenizing the whole history per call.
    const bool same_encoding = model_counter.encoding() == agent_counter.encoding();
    mo.count_prompt_tokens = [model_counter, same_encoding](const ChatRequest& r) {
      if (same_encoding && r.prompt_tokens) return *r.prompt_tokens;
      return model_counter.CountMessages(r.messages, ToolsJson(r.tools));
    };
    mo.count_text_tokens = [model_counter](std::string_view text) { return model_counter.Count(text); };
    auto scripted = ScriptedModel::Create(name, s.models.at(name), clock, mo, "models." + name);
    if (!scripted.ok()) return Fail(s.file + ": " + scripted.status().message(), clock);
    std::shared_ptr<ScriptedModel> shared(std::move(*scripted));
    specs.push_back({.model = std::make_shared<FaultRecordingModel>(shared, faults), .model_name = name});
  }
  ResilienceOptions resilience;
  if (Status st = ApplyRetry(s.agent.retry, resilience.retry); !st.ok()) return Fail(st.message(), clock);
  ApplyBreaker(s.agent.breaker, resilience.breaker);
  auto chain = MakeResilientModel(std::move(specs), resilience, clock, random);
  if (!chain.ok()) return Fail(s.file + ": " + chain.status().message(), clock);

  // Tools: built-ins by name, then the scripted ones.
  auto registry = std::make_shared<ToolRegistry>();
  BuiltinToolOptions builtin;
  builtin.time.clock = &clock;
  builtin.files.root = fs::path(s.file).parent_path().empty() ? "." : fs::path(s.file).parent_path().string();
  for (const auto& name : s.agent.tools) {
    auto tool = MakeBuiltinTool(name, builtin);
    if (!tool.ok()) return Fail(s.file + ": agent.tools: " + tool.status().message(), clock);
    if (Status st = registry->Register(*tool); !st.ok()) return Fail(s.file + ": " + st.message(), clock);
  }
  for (const auto& [name, tool] : s.tools) {
    Json spec = {{"description", tool.description}, {"parameters", tool.parameters}, {"returns", tool.returns}};
    auto scripted = ScriptedTool::FromJson(name, spec, "tools." + name);
    if (!scripted.ok()) return Fail(s.file + ": " + scripted.status().message(), clock);
    if (Status st = registry->Register(*scripted); !st.ok()) return Fail(s.file + ": " + st.message(), clock);
  }

  auto sanitizer = DefaultSanitizer();
  if (!sanitizer.ok()) return Fail("sanitizer: " + sanitizer.status().message(), clock);
  TempDir dir;
  if (dir.path().empty()) return Fail("cannot create a temporary directory", clock);
  // Per-user limits are a chatbot backend's, not the agent's: a scenario's turns run one after
  // another on a clock that only waits move, so a requests-per-minute window would fill up
  // after 30 turns of zero simulated time and refuse the rest.
  SqliteSessionStoreOptions store_options{.path = dir.path() + "/session.db"};
  store_options.store.max_requests_per_window = 0;
  store_options.store.max_concurrent_turns_per_user = 0;
  auto store = OpenSqliteSessionStore(store_options, clock);
  if (!store.ok()) return Fail("session store: " + store.status().message(), clock);
  std::shared_ptr<SessionStore> sessions(std::move(*store));

  AgentOptions options;
  options.system_prompt = s.agent.system.value_or("You are a helpful assistant.");
  options.mode = s.agent.mode == "tools" ? AgentOptions::Mode::kTools : AgentOptions::Mode::kReact;
  options.max_steps = s.agent.max_steps;
  // Scripted tools answer in the order they are called and scripted latencies advance one
  // simulated clock: calls of one reply run one after another so a scenario is repeatable.
  options.max_parallel_tools = 1;
  options.budget.max_tokens = s.agent.budget.max_tokens.value_or(0);
  options.budget.max_cost_usd = s.agent.budget.max_cost_usd.value_or(0);
  options.budget.deadline = Seconds(s.agent.budget.deadline_s.value_or(0));
  options.max_output_tokens = s.agent.max_output_tokens;
  options.min_output_tokens = s.agent.min_output_tokens;
  AgentDeps deps;
  deps.model = *chain;
  deps.model_name = primary;
  deps.model_names = s.agent.models;
  deps.sanitizer = *sanitizer;
  deps.sessions = sessions;
  deps.tools = registry;
  deps.clock = &clock;
  auto agent = Agent::Create(std::move(options), std::move(deps));
  if (!agent.ok()) return Fail(s.file + ": " + agent.status().message(), clock);

  auto session = sessions->Create("scenario");
  if (!session.ok()) return Fail("session: " + session.status().message(), clock);

  std::string failures;
  for (size_t i = 0; i < s.turns.size(); ++i) {
    const std::string turn = "turn " + std::to_string(i + 1);
    auto result = (*agent)->Run(session->id, s.turns[i].user);
    if (std::string fault = faults.Take(); !fault.empty()) {
      return Fail(fault + " at " + turn, clock);
    }
    if (!result.ok()) return Fail(turn + ": " + result.status().ToString(), clock);
    for (const auto& trace : result->trace) {
      for (const auto& obs : trace.observations) {
        if (obs.find("script exhausted") != std::string::npos) {
          return Fail(turn + ": " + obs, clock);
        }
      }
    }
    auto unmet = CheckExpectations(s.turns[i].expect, ToOutcome(*result));
    for (const auto& f : unmet) failures += (failures.empty() ? "" : "; ") + turn + ": " + f;
    if (!unmet.empty()) {
      // Why the turn ended is what a scenario author needs first when an expectation fails.
      failures += " [turn ended: " + std::string(StopReasonName(result->stop_reason)) +
                  (result->stop_detail.empty() ? "" : " - " + result->stop_detail) + "; " +
                  std::to_string(result->steps) + " steps, " +
                  std::to_string(result->usage.total_tokens()) + " tokens]";
    }
  }
  ScenarioRun run;
  run.passed = failures.empty();
  run.failure = failures;
  run.simulated_seconds = ToSeconds(clock.Now().time_since_epoch());
  return run;
}

}  // namespace reagent
