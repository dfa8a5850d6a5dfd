#include "session_commands.h"

#include <algorithm>

#include <fmt/format.h>

#include "message_codec.h"
#include "reagent/core/json.h"
#include "reagent/session/session_rules.h"

namespace reagent::redis_internal {
namespace {

using session_internal::DurationMicros;
using session_internal::ToMicros;
using session_internal::UtcDay;

std::string EncodeStepRow(const StepRecord& step, int64_t now_us) {
  Json row = {{"n", step.messages.size()},
              {"model", step.model},
              {"p", step.usage.prompt_tokens},
              {"c", step.usage.completion_tokens},
              {"k", step.usage.cached_tokens},
              {"cost", step.usage.cost_usd ? Json(*step.usage.cost_usd) : Json()},
              {"at", now_us}};
  if (!step.extra.is_null()) row["extra"] = step.extra;
  return DumpJson(row);
}

}  // namespace

std::string TtlArg(const RedisSessionStoreOptions& o) { return std::to_string(DurationMicros(o.store.ttl)); }

std::string ExpireMsArg(const RedisSessionStoreOptions& o) {
  const Duration d = o.store.ttl + o.expired_retention + kExpirySlack;
  return std::to_string(std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

std::vector<std::string> AppendStepArgs(const RedisSessionStoreOptions& o, std::string_view session_id,
                                        const StepRecord& step, WallTime now) {
  const int64_t now_us = ToMicros(now);
  std::vector<std::string> args;
  args.reserve(11 + step.messages.size());
  args.push_back(o.prefix);
  args.emplace_back(session_id);
  args.push_back(std::to_string(now_us));
  args.push_back(TtlArg(o));
  args.push_back(ExpireMsArg(o));
  args.push_back(UtcDay(now));
  args.push_back(EncodeStepRow(step, now_us));
  args.push_back(std::to_string(step.usage.prompt_tokens));
  args.push_back(std::to_string(step.usage.completion_tokens));
  args.push_back(std::to_string(step.usage.cached_tokens));
  args.push_back(step.usage.cost_usd ? fmt::format("{:.17g}", *step.usage.cost_usd) : std::string());
  for (size_t i = 0; i < step.messages.size(); ++i) {
    std::optional<int64_t> tokens;
    if (!step.message_tokens.empty()) tokens = step.message_tokens[i];
    args.push_back(EncodeMessage(step.messages[i], tokens));
  }
  return args;
}

std::vector<std::string> LoadArgs(const RedisSessionStoreOptions& o, std::string_view session_id, WallTime now) {
  return {o.prefix, std::string(session_id), std::to_string(ToMicros(now)), TtlArg(o)};
}

}  // namespace reagent::redis_internal
