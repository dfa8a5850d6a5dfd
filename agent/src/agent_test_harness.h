// Test harness for scenario-style agent tests: scripted models behind the real resilience
// stack (retry, breaker, fallback) on a ManualClock, the real sanitizer, a real SQLite session
// store in a temporary file, scripted and lambda tools, and an observer that records events.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "reagent/agent/agent.h"
#include "reagent/core/random.h"
#include "reagent/llm/pricing.h"
#include "reagent/llm/resilient_model.h"
#include "reagent/llm/scripted_model.h"
#include "reagent/session/sqlite_session_store.h"
#include "reagent/tokenizer/token_counter.h"
#include "reagent/tools/scripted_tool.h"
#include "reagent/tools/tool_registry.h"

namespace reagent::testing {

class RecordingObserver final : public AgentObserver {
 public:
  void OnEvent(const AgentEvent& e) override { events.push_back(e); }
  int Count(AgentEvent::Kind kind) const {
    int n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
  const AgentEvent* First(AgentEvent::Kind kind) const {
    for (const auto& e : events) {
      if (e.kind == kind) return &e;
    }
    return nullptr;
  }
  std::vector<AgentEvent> events;
};

class AgentHarness {
 public:
  AgentHarness() {
    dir_ = std::filesystem::temp_directory_path() /
           ("reagent_agent_test_" + std::to_string(::getpid()) + "_" + RandomId128());
    std::filesystem::create_directories(dir_);
  }
  ~AgentHarness() {
    agent.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A scripted model; `replies` in the scenario format. Prompt tokens it reports (when the
  // script gives none) are counted exactly, the way a provider would.
  std::shared_ptr<ScriptedModel> AddModel(const std::string& name, const nlohmann::json& replies) {
    ScriptedModelOptions o;
    o.count_prompt_tokens = [name](const ChatRequest& r) {
      nlohmann::json tools = nullptr;
      if (!r.tools.empty()) {
        tools = nlohmann::json::array();
        for (const auto& t : r.tools) {
          tools.push_back({{"type", "function"},
                           {"function", {{"name", t.name}, {"description", t.description},
                                         {"parameters", t.parameters}}}});
        }
      }
      return TokenCounter::ForModel(name).CountMessages(r.messages, tools);
    };
    o.count_text_tokens = [name](std::string_view t) { return TokenCounter::ForModel(name).Count(t); };
    auto m = ScriptedModel::Create(name, replies, clock, o, "models." + name);
    EXPECT_TRUE(m.ok()) << m.status();
    std::shared_ptr<ScriptedModel> model = std::move(*m);
    models[name] = model;
    order.push_back(name);
    return model;
  }

  std::shared_ptr<ScriptedTool> AddScriptedTool(const std::string& name, const nlohmann::json& spec) {
    auto t = ScriptedTool::FromJson(name, spec);
    EXPECT_TRUE(t.ok()) << t.status();
    EXPECT_TRUE(tools->Register(*t).ok());
    return *t;
  }

  void AddTool(std::shared_ptr<Tool> tool) { EXPECT_TRUE(tools->Register(std::move(tool)).ok()); }

  // Builds the chain (in AddModel order), the store, the agent and one session.
  void Build(AgentOptions options = {}, ResilienceOptions resilience = {}) {
    std::vector<ResilientModelSpec> specs;
    for (const auto& name : order) specs.push_back({.model = models[name], .model_name = name});
    resilience.use_limiters = false;
    auto chain = MakeResilientModel(std::move(specs), resilience, clock, random);
    ASSERT_TRUE(chain.ok()) << chain.status();
    this->chain = *chain;
    if (!store) {
      auto s = OpenSqliteSessionStore({.path = (dir_ / "sessions.db").string()}, clock);
      ASSERT_TRUE(s.ok()) << s.status();
      store = std::move(*s);
      auto info = store->Create("alice");
      ASSERT_TRUE(info.ok()) << info.status();
      session = info->id;
    }
    if (!sanitizer) {
      auto s = Sanitizer::Create();
      ASSERT_TRUE(s.ok()) << s.status();
      sanitizer = *s;
    }
    auto a = Agent::Create(std::move(options), {.model = this->chain,
                                                .model_name = order.front(),
                                                .model_names = order,
                                                .sanitizer = sanitizer,
                                                .sessions = store,
                                                .tools = tools,
                                                .clock = &clock});
    ASSERT_TRUE(a.ok()) << a.status();
    agent = std::move(*a);
  }

  TurnResult Run(std::string_view text, CancellationToken cancel = {}) {
    observer.events.clear();
    auto r = agent->Run(session, text, &observer, std::move(cancel));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(*r) : TurnResult{};
  }

  // The session as stored.
  Session Stored() {
    auto s = store->Load(session);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : Session{};
  }

  // Tokens of a prompt the way the agent counts it (for exact budget arithmetic in tests).
  static int64_t Tokens(const std::string& model, const std::vector<Message>& m) {
    return TokenCounter::ForModel(model).CountMessages(m);
  }

  ManualClock clock;
  FixedRandom random{0.5};
  std::map<std::string, std::shared_ptr<ScriptedModel>> models;
  std::vector<std::string> order;
  std::shared_ptr<ChatModel> chain;
  std::shared_ptr<SessionStore> store;
  std::shared_ptr<const Sanitizer> sanitizer;
  std::shared_ptr<ToolRegistry> tools = std::make_shared<ToolRegistry>();
  std::unique_ptr<Agent> agent;
  std::string session;
  RecordingObserver observer;

 private:
  std::filesystem::path dir_;
};

}  // namespace reagent::testing
