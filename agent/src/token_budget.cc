#include "reagent/agent/token_budget.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace reagent {
namespace {

constexpr int64_t kUnlimited = std::numeric_limits<int64_t>::max();
// Cost arithmetic is in doubles; this keeps a reservation that exactly fills the cost limit
// from being refused by rounding.
constexpr double kCostEpsilon = 1e-12;

bool WarningsEnabled(double warn_at) { return warn_at > 0 && warn_at < 1; }

}  // namespace

std::string_view BudgetDimensionName(BudgetDimension d) {
  switch (d) {
    case BudgetDimension::kTokens: return "tokens";
    case BudgetDimension::kCost: return "cost";
    case BudgetDimension::kSteps: return "steps";
    case BudgetDimension::kTime: return "time";
  }
  return "tokens";
}

std::string BudgetShortfall::ToString() const {
  if (dimension == BudgetDimension::kCost) {
    return fmt::format("{} cost budget: a prompt of {} tokens leaves room for {} output tokens "
                       "(at least {} needed)",
                       scope, prompt_tokens, std::max<int64_t>(output_left, 0), min_output);
  }
  return fmt::format("{} token budget: a prompt of {} tokens leaves room for {} output tokens "
                     "(at least {} needed)",
                     scope, prompt_tokens, std::max<int64_t>(output_left, 0), min_output);
}

TokenBudget::TokenBudget(BudgetLimits turn_limits, Clock& clock, double warn_at)
    : limits_(turn_limits), clock_(&clock), warn_at_(warn_at), start_(clock.Now()) {
  scopes_.push_back(Scope{.name = "turn",
                          .max_tokens = std::max<int64_t>(limits_.max_tokens, 0),
                          .max_cost_usd = std::max(limits_.max_cost_usd, 0.0)});
}

void TokenBudget::AddScope(std::string name, int64_t max_tokens, double max_cost_usd,
                           int64_t spent_tokens, double spent_cost_usd) {
  Scope s{.name = std::move(name),
          .max_tokens = std::max<int64_t>(max_tokens, 0),
          .max_cost_usd = std::max(max_cost_usd, 0.0),
          .spent_tokens = spent_tokens,
          .spent_cost_usd = spent_cost_usd};
  // Earlier turns may already have passed the warning line: do not warn again for them.
  s.warned_tokens = s.max_tokens > 0 && spent_tokens >= warn_at_ * static_cast<double>(s.max_tokens);
  s.warned_cost = s.max_cost_usd > 0 && spent_cost_usd >= warn_at_ * s.max_cost_usd;
  scopes_.push_back(std::move(s));
}

Expected<Reservation, BudgetShortfall> TokenBudget::Reserve(int64_t prompt_tokens,
                                                            int64_t desired_output,
                                                            int64_t min_output, TokenPrice price) {
  prompt_tokens = std::max<int64_t>(prompt_tokens, 0);
  desired_output = std::max<int64_t>(desired_output, 0);
  const int64_t needed = std::clamp<int64_t>(min_output, 0, desired_output);
  int64_t reserved_tokens = 0;
  double reserved_cost = 0;
  for (const Reservation& r : outstanding_) {
    reserved_tokens += r.prompt_tokens + r.max_output_tokens;
    reserved_cost += r.max_cost_usd;
  }

  int64_t allowance = desired_output;
  for (const Scope& s : scopes_) {
    if (s.max_tokens > 0) {
      const int64_t output_left = s.max_tokens - s.spent_tokens - reserved_tokens - prompt_tokens;
      if (output_left < needed) {
        return MakeUnexpected(BudgetShortfall{BudgetDimension::kTokens, s.name, prompt_tokens,
                                              output_left, needed});
      }
      allowance = std::min(allowance, output_left);
    }
    if (s.max_cost_usd > 0) {
      const double cost_left = s.max_cost_usd - s.spent_cost_usd - reserved_cost -
                               static_cast<double>(prompt_tokens) * price.input_per_token;
      int64_t output_left = kUnlimited;
      if (cost_left < -kCostEpsilon) {
        output_left = -1;
      } else if (price.output_per_token > 0) {
        const double fit = std::floor((cost_left + kCostEpsilon) / price.output_per_token);
        output_left = fit >= static_cast<double>(kUnlimited) ? kUnlimited : static_cast<int64_t>(fit);
      }
      if (output_left < needed) {
        return MakeUnexpected(BudgetShortfall{BudgetDimension::kCost, s.name, prompt_tokens,
                                              output_left, needed});
      }
      allowance = std::min(allowance, output_left);
    }
  }

  Reservation r{.id = next_id_++,
                .prompt_tokens = prompt_tokens,
                .max_output_tokens = allowance,
                .max_cost_usd = static_cast<double>(prompt_tokens) * price.input_per_token +
                                static_cast<double>(allowance) * price.output_per_token};
  outstanding_.push_back(r);
  return r;
}

void TokenBudget::Release(const Reservation& reservation) {
  std::erase_if(outstanding_, [&](const Reservation& r) { return r.id == reservation.id; });
}

std::vector<BudgetWarning> TokenBudget::Settle(const Reservation& reservation, const Usage& actual) {
  std::vector<BudgetWarning> warnings;
  const auto it = std::find_if(outstanding_.begin(), outstanding_.end(),
                               [&](const Reservation& r) { return r.id == reservation.id; });
  if (it == outstanding_.end()) return warnings;  // already settled or released
  outstanding_.erase(it);

  const int64_t tokens = std::max<int64_t>(actual.prompt_tokens, 0) +
                         std::max<int64_t>(actual.completion_tokens, 0);
  const double cost = actual.cost_usd ? std::max(*actual.cost_usd, 0.0) : reservation.max_cost_usd;
  overrun_tokens_ += std::max<int64_t>(
      0, tokens - (reservation.prompt_tokens + reservation.max_output_tokens));
  for (Scope& s : scopes_) {
    s.spent_tokens += tokens;
    s.spent_cost_usd += cost;
    WarnIfCrossed(s, warnings);
  }
  return warnings;
}

void TokenBudget::WarnIfCrossed(Scope& s, std::vector<BudgetWarning>& out) {
  if (!WarningsEnabled(warn_at_)) return;
  if (s.max_tokens > 0 && !s.warned_tokens) {
    const double f = static_cast<double>(s.spent_tokens) / static_cast<double>(s.max_tokens);
    if (f >= warn_at_) {
      s.warned_tokens = true;
      out.push_back({BudgetDimension::kTokens, s.name, f, static_cast<double>(s.spent_tokens),
                     static_cast<double>(s.max_tokens)});
    }
  }
  if (s.max_cost_usd > 0 && !s.warned_cost) {
    const double f = s.spent_cost_usd / s.max_cost_usd;
    if (f >= warn_at_) {
      s.warned_cost = true;
      out.push_back({BudgetDimension::kCost, s.name, f, s.spent_cost_usd, s.max_cost_usd});
    }
  }
}

std::vector<BudgetWarning> TokenBudget::CountStep() {
  std::vector<BudgetWarning> warnings;
  ++steps_;
  if (limits_.max_steps > 0 && WarningsEnabled(warn_at_) && !warned_steps_) {
    const double f = static_cast<double>(steps_) / limits_.max_steps;
    if (f >= warn_at_) {
      warned_steps_ = true;
      warnings.push_back({BudgetDimension::kSteps, "turn", f, static_cast<double>(steps_),
                          static_cast<double>(limits_.max_steps)});
    }
  }
  return warnings;
}

bool TokenBudget::StepAvailable() const {
  return limits_.max_steps <= 0 || steps_ < limits_.max_steps;
}

std::optional<TimePoint> TokenBudget::deadline() const {
  if (limits_.deadline <= Duration::zero()) return std::nullopt;
  return start_ + limits_.deadline;
}

bool TokenBudget::DeadlinePassed() const {
  const auto d = deadline();
  return d && clock_->Now() >= *d;
}

std::vector<BudgetWarning> TokenBudget::CheckTime() {
  std::vector<BudgetWarning> warnings;
  if (limits_.deadline <= Duration::zero() || !WarningsEnabled(warn_at_) || warned_time_) {
    return warnings;
  }
  const double elapsed = ToSeconds(clock_->Now() - start_);
  const double limit = ToSeconds(limits_.deadline);
  if (elapsed / limit >= warn_at_) {
    warned_time_ = true;
    warnings.push_back({BudgetDimension::kTime, "turn", elapsed / limit, elapsed, limit});
  }
  return warnings;
}

std::optional<int64_t> TokenBudget::RemainingTokens() const {
  int64_t reserved = 0;
  for (const Reservation& r : outstanding_) reserved += r.prompt_tokens + r.max_output_tokens;
  std::optional<int64_t> left;
  for (const Scope& s : scopes_) {
    if (s.max_tokens <= 0) continue;
    const int64_t l = std::max<int64_t>(s.max_tokens - s.spent_tokens - reserved, 0);
    left = left ? std::min(*left, l) : l;
  }
  return left;
}

std::optional<double> TokenBudget::RemainingCostUsd() const {
  double reserved = 0;
  for (const Reservation& r : outstanding_) reserved += r.max_cost_usd;
  std::optional<double> left;
  for (const Scope& s : scopes_) {
    if (s.max_cost_usd <= 0) continue;
    const double l = std::max(s.max_cost_usd - s.spent_cost_usd - reserved, 0.0);
    left = left ? std::min(*left, l) : l;
  }
  return left;
}

int64_t TokenBudget::spent_tokens() const { return scopes_.front().spent_tokens; }
double TokenBudget::spent_cost_usd() const { return scopes_.front().spent_cost_usd; }

}  // namespace reagent
