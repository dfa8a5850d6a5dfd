#include "reagent/agent/stop_reason.h"

#include <array>
#include <utility>

namespace reagent {
namespace {

constexpr std::array<std::pair<StopReason, std::string_view>, 8> kNames{{
    {StopReason::kFinalAnswer, "final_answer"},
    {StopReason::kMaxSteps, "max_steps"},
    {StopReason::kBudgetExhausted, "budget_exhausted"},
    {StopReason::kDeadline, "deadline"},
    {StopReason::kBlocked, "blocked"},
    {StopReason::kModelsUnavailable, "models_unavailable"},
    {StopReason::kCancelled, "cancelled"},
    {StopReason::kError, "error"},
}};

}  // namespace

std::string_view StopReasonName(StopReason reason) {
  for (const auto& [r, name] : kNames) {
    if (r == reason) return name;
  }
  return "error";
}

std::optional<StopReason> ParseStopReason(std::string_view name) {
  for (const auto& [r, n] : kNames) {
    if (n == name) return r;
  }
  return std::nullopt;
}

}  // namespace reagent
