#include "reagent/session/session_json.h"

#include <cstdio>
#include <ctime>

#include "session_rules.h"

namespace reagent {

std::string FormatUtc(WallTime t) {
  std::tm tm = session_internal::ToUtcTm(t);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json SessionInfoJson(const SessionInfo& info) {
  return {{"id", info.id},
          {"user_id", info.user_id},
          {"created_at", FormatUtc(info.created_at)},
          {"last_access", FormatUtc(info.last_access)},
          {"step_count", info.step_count},
          {"message_count", info.message_count},
          {"usage", info.usage},
          {"metadata", info.metadata}};
}

nlohmann::json StepInfoJson(const StepInfo& step) {
  nlohmann::json j = {{"step", step.step},
                      {"first_message", step.first_message},
                      {"message_count", step.message_count},
                      {"model", step.model},
                      {"usage", step.usage},
                      {"created_at", FormatUtc(step.created_at)}};
  if (!step.extra.is_null()) j["extra"] = step.extra;
  return j;
}

nlohmann::json UsageTotalJson(const UsageTotal& total) {
  nlohmann::json j = {{"steps", total.steps}, {"usage", total.usage}};
  if (!total.session_id.empty()) j["session_id"] = total.session_id;
  if (!total.user_id.empty()) j["user_id"] = total.user_id;
  if (!total.day.empty()) j["day"] = total.day;
  return j;
}

Result<nlohmann::json> ExportSession(SessionStore& store, std::string_view session_id) {
  REAGENT_ASSIGN_OR_RETURN(Session session, store.Load(session_id));
  REAGENT_ASSIGN_OR_RETURN(std::vector<StepInfo> steps, store.Steps(session_id));
  nlohmann::json out = {{"session", SessionInfoJson(session.info)},
                        {"messages", session.messages},
                        {"steps", nlohmann::json::array()}};
  for (const StepInfo& step : steps) out["steps"].push_back(StepInfoJson(step));
  return out;
}

}  // namespace reagent
