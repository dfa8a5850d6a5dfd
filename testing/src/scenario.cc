#include "reagent/testing/scenario.h"

#include <algorithm>

#include "reagent/llm/openai_wire.h"
#include "reagent/runtime/resilience_config.h"
#include "reagent/runtime/strict_json.h"

namespace reagent {
namespace {

void ParseAgent(const Json& j, ScenarioAgent& agent, std::vector<std::string>& errors) {
  StrictObject o(j, "agent", errors);
  if (!o.valid()) return;
  if (auto mode = o.String("mode")) {
    if (*mode != "react" && *mode != "tools") {
      o.Error(o.PathOf("mode"), "expected \"react\" or \"tools\", got \"" + *mode + "\"");
    }
    agent.mode = *mode;
  }
  agent.system = o.String("system");
  if (auto v = o.Int("max_steps", false, 1, INT32_MAX)) agent.max_steps = static_cast<int>(*v);
  if (const Json* b = o.Object("budget")) {
    StrictObject budget(*b, o.PathOf("budget"), errors);
    agent.budget.max_tokens = budget.Int("max_tokens", false, 1);
    agent.budget.max_cost_usd = budget.Number("max_cost_usd", false, 0);
    agent.budget.deadline_s = budget.Number("deadline_s", false, 0);
    budget.RejectUnknownKeys();
  }
  if (auto models = o.StringArray("models", true)) {
    agent.models = *models;
    if (agent.models.empty()) o.Error(o.PathOf("models"), "needs at least one model");
  }
  agent.retry = o.Overrides("retry", kRetryKeys, kRetryStringKeys, kRetryIntKeys);
  agent.breaker = o.Overrides("breaker", kBreakerKeys, {}, kBreakerIntKeys);
  if (auto tools = o.StringArray("tools")) agent.tools = *tools;
  if (auto v = o.Number("request_timeout_s", false, 0)) agent.request_timeout_s = *v;
  if (auto v = o.Int("max_output_tokens", false, 1)) agent.max_output_tokens = *v;
  if (auto v = o.Int("min_output_tokens", false, 1)) agent.min_output_tokens = *v;
  o.RejectUnknownKeys();
}

void ParseTools(const Json& j, std::map<std::string, ScenarioTool>& tools,
                std::vector<std::string>& errors) {
  StrictObject all(j, "tools", errors);
  if (!all.valid()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    ScenarioTool tool;
    tool.name = it.key();
    StrictObject o(*it, all.PathOf(it.key()), errors);
    (void)all.Any(it.key());
    if (!o.valid()) continue;
    tool.description = o.String("description").value_or("");
    if (const Json* p = o.Object("parameters")) tool.parameters = *p;
    if (const Json* r = o.Array("returns", true)) {
      for (size_t i = 0; i < r->size(); ++i) {
        const Json& item = (*r)[i];
        if (item.is_string()) continue;
        StrictObject e(item, IndexPath(o.PathOf("returns"), i), errors);
        if (e.valid()) {
          (void)e.String("error", true);
          e.RejectUnknownKeys();
        }
      }
      tool.returns = *r;
    }
    o.RejectUnknownKeys();
    tools[tool.name] = std::move(tool);
  }
}

void ParseReply(const Json& reply, const std::string& path, std::vector<std::string>& errors) {
  StrictObject o(reply, path, errors);
  if (!o.valid()) return;
  int kinds = 0;
  if (o.Has("content")) {
    ++kinds;
    (void)o.String("content");
  }
  if (o.Has("tool_calls")) {
    ++kinds;
    if (const Json* calls = o.Array("tool_calls")) {
      for (size_t i = 0; i < calls->size(); ++i) {
        StrictObject c((*calls)[i], IndexPath(o.PathOf("tool_calls"), i), errors);
        if (!c.valid()) continue;
        (void)c.String("name", true);
        (void)c.String("id");
        if (const Json* args = c.Any("arguments"); args && !args->is_object() && !args->is_string()) {
          c.Error(c.PathOf("arguments"), "expected object or string, got " +
                                             std::string(JsonTypeName(*args)));
        }
        c.RejectUnknownKeys();
      }
    }
  }
  if (o.Has("error")) {
    ++kinds;
    if (const Json* e = o.Object("error")) {
      StrictObject err(*e, o.PathOf("error"), errors);
      (void)err.Int("status", true, 100, 599);
      (void)err.String("code");
      (void)err.String("message");
      (void)err.Number("retry_after", false, 0);
      err.RejectUnknownKeys();
    }
  }
  if (o.Has("timeout")) {
    ++kinds;
    (void)o.Bool("timeout");
  }
  if (const Json* u = o.Object("usage")) {
    StrictObject usage(*u, o.PathOf("usage"), errors);
    (void)usage.Int("prompt_tokens", false, 0, kMaxReportedTokens);
    (void)usage.Int("completion_tokens", false, 0, kMaxReportedTokens);
    (void)usage.Int("cached_tokens", false, 0, kMaxReportedTokens);
    usage.RejectUnknownKeys();
  }
  (void)o.String("finish_reason");
  if (kinds != 1) {
    o.Error(path, "a reply needs exactly one of content, tool_calls, error, timeout");
  }
  o.RejectUnknownKeys();
}

void ParseExpect(const Json& j, const std::string& path, ScenarioExpect& e,
                 std::vector<std::string>& errors) {
  StrictObject o(j, path, errors);
  if (!o.valid()) return;
  e.final_answer = o.String("final_answer");
  e.final_answer_contains = o.String("final_answer_contains");
  e.stop_reason = o.String("stop_reason");
  if (e.stop_reason) {
    const auto& known = KnownStopReasons();
    if (std::find(known.begin(), known.end(), *e.stop_reason) == known.end()) {
      o.Error(o.PathOf("stop_reason"), "unknown stop reason \"" + *e.stop_reason + "\"");
    }
  }
  e.tool_calls = o.StringArray("tool_calls");
  e.steps_at_most = o.Int("steps_at_most", false, 0);
  e.retries = o.Int("retries", false, 0);
  e.fallbacks = o.Int("fallbacks", false, 0);
  e.model_used = o.String("model_used");
  if (auto obs = o.StringArray("observations_contain")) e.observations_contain = *obs;
  e.cost_at_most_usd = o.Number("cost_at_most_usd", false, 0);
  e.tokens_at_most = o.Int("tokens_at_most", false, 0);
  e.blocked = o.Bool("blocked");
  o.RejectUnknownKeys();
}

}  // namespace

const std::vector<std::string>& KnownStopReasons() {
  static const std::vector<std::string> reasons = {
      "final_answer", "max_steps", "budget_exhausted", "deadline", "blocked",
      "models_unavailable", "cancelled", "error"};
  return reasons;
}

Result<Scenario> ParseScenario(const Json& json, const std::string& file) {
  std::vector<std::string> errors;
  Scenario s;
  s.file = file;
  StrictObject top(json, "", errors);
  if (top.valid()) {
    s.name = top.String("name", true).value_or(file);
    if (const Json* a = top.Object("agent", true)) ParseAgent(*a, s.agent, errors);
    if (const Json* t = top.Object("tools")) ParseTools(*t, s.tools, errors);
    if (const Json* m = top.Object("models", true)) {
      for (auto it = m->begin(); it != m->end(); ++it) {
        std::string path = "models." + it.key();
        if (!it->is_array()) {
          errors.push_back(path + ": expected array of replies, got " +
                           std::string(JsonTypeName(*it)));
          continue;
        }
        for (size_t i = 0; i < it->size(); ++i) ParseReply((*it)[i], IndexPath(path, i), errors);
        s.models[it.key()] = *it;
      }
    }
    if (const Json* turns = top.Array("turns", true)) {
      if (turns->empty()) errors.push_back("turns: needs at least one turn");
      for (size_t i = 0; i < turns->size(); ++i) {
        std::string path = IndexPath("turns", i);
        StrictObject t((*turns)[i], path, errors);
        if (!t.valid()) continue;
        ScenarioTurn turn;
        turn.user = t.String("user", true).value_or("");
        if (const Json* e = t.Object("expect")) ParseExpect(*e, t.PathOf("expect"), turn.expect, errors);
        t.RejectUnknownKeys();
        s.turns.push_back(std::move(turn));
      }
    }
    top.RejectUnknownKeys();
  }
  // A script for a model the agent never calls is a mistake (usually a typo in a name): its
  // replies would silently never be used.
  for (const auto& [model, replies] : s.models) {
    if (!s.agent.models.empty() &&
        std::find(s.agent.models.begin(), s.agent.models.end(), model) == s.agent.models.end()) {
      std::string named;
      for (const auto& m : s.agent.models) named += (named.empty() ? "\"" : ", \"") + m + "\"";
      errors.push_back("models." + model + ": scripts a model that agent.models does not name (agent.models: [" +
                       named + "])");
    }
  }
  for (const auto& model : s.agent.models) {
    if (!s.models.count(model)) s.models[model] = Json::array();  // called → script exhausted
  }
  if (!errors.empty()) {
    std::string message = file + ": invalid scenario:";
    for (const auto& e : errors) message += "\n  " + e;
    return Status::InvalidArgument(message);
  }
  return s;
}

Result<Scenario> LoadScenarioFile(const std::string& path) {
  REAGENT_ASSIGN_OR_RETURN(Json json, ReadJsonFile(path));
  return ParseScenario(json, path);
}

}  // namespace reagent
