#include "reagent/testing/expectations.h"

#include <cstdio>

namespace reagent {
namespace {

std::string Quote(const std::string& s) {
  constexpr size_t kMaxShown = 200;
  std::string shown = s.size() > kMaxShown ? s.substr(0, kMaxShown) + "..." : s;
  return DumpJson(Json(shown));
}

std::string List(const std::vector<std::string>& items) { return DumpJson(Json(items)); }

std::string Money(double usd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.6f", usd);
  return buf;
}

}  // namespace

std::vector<std::string> CheckExpectations(const ScenarioExpect& e, const TurnOutcome& got) {
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what) { failures.push_back(what); };
  if (e.final_answer && got.final_answer != *e.final_answer) {
    fail("final_answer: expected " + Quote(*e.final_answer) + ", got " + Quote(got.final_answer));
  }
  if (e.final_answer_contains && got.final_answer.find(*e.final_answer_contains) == std::string::npos) {
    fail("final_answer_contains: " + Quote(*e.final_answer_contains) + " not in " +
         Quote(got.final_answer));
  }
  if (e.stop_reason && got.stop_reason != *e.stop_reason) {
    fail("stop_reason: expected " + *e.stop_reason + ", got " + got.stop_reason);
  }
  if (e.tool_calls && got.tool_calls != *e.tool_calls) {
    fail("tool_calls: expected " + List(*e.tool_calls) + ", got " + List(got.tool_calls));
  }
  if (e.steps_at_most && got.steps > *e.steps_at_most) {
    fail("steps_at_most: expected at most " + std::to_string(*e.steps_at_most) + ", got " +
         std::to_string(got.steps));
  }
  if (e.retries && got.retries != *e.retries) {
    fail("retries: expected " + std::to_string(*e.retries) + ", got " + std::to_string(got.retries));
  }
  if (e.fallbacks && got.fallbacks != *e.fallbacks) {
    fail("fallbacks: expected " + std::to_string(*e.fallbacks) + ", got " +
         std::to_string(got.fallbacks));
  }
  if (e.model_used && got.model_used != *e.model_used) {
    fail("model_used: expected " + *e.model_used + ", got " +
         (got.model_used.empty() ? "(none)" : got.model_used));
  }
  for (const auto& needle : e.observations_contain) {
    bool found = false;
    for (const auto& o : got.observations) found = found || o.find(needle) != std::string::npos;
    if (!found) {
      fail("observations_contain: " + Quote(needle) + " not in any of " +
           std::to_string(got.observations.size()) + " observations " + List(got.observations));
    }
  }
  if (e.cost_at_most_usd) {
    if (!got.cost_usd) {
      fail("cost_at_most_usd: the cost is unknown (a model is unpriced)");
    } else if (*got.cost_usd > *e.cost_at_most_usd) {
      fail("cost_at_most_usd: expected at most " + Money(*e.cost_at_most_usd) + ", got " +
           Money(*got.cost_usd));
    }
  }
  if (e.tokens_at_most && got.tokens > *e.tokens_at_most) {
    fail("tokens_at_most: expected at most " + std::to_string(*e.tokens_at_most) + ", got " +
         std::to_string(got.tokens));
  }
  if (e.blocked && got.blocked != *e.blocked) {
    fail(std::string("blocked: expected ") + (*e.blocked ? "true" : "false") + ", got " +
         (got.blocked ? "true" : "false"));
  }
  return failures;
}

}  // namespace reagent
