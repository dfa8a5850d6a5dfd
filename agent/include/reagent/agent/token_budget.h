// TokenBudget: a hard limit on what one turn (and optionally its session or user) may spend,
// enforced before every model call rather than tracked after it.
//
//   TokenBudget budget({.max_tokens = 8000, .max_cost_usd = 0.05}, clock);
//   auto r = budget.Reserve(prompt_tokens, /*desired_output=*/1024, /*min_output=*/32, price);
//   if (!r.ok()) { /* the call does not fit: answer now or stop with budget_exhausted */ }
//   request.max_tokens = r->max_output_tokens;        // the provider cannot overspend it
//   ... call the model ...
//   for (const BudgetWarning& w : budget.Settle(*r, response.usage)) { /* 70 % warning */ }
//
// The guarantee: as long as the provider's usage stays within a reservation (its prompt is
// counted exactly and it never writes more than `max_tokens`), the spent tokens and cost
// never exceed any limit. A usage above its reservation is still charged (the money is gone)
// and is reported by overrun_tokens(), never hidden.
//
// Not thread-safe: one TokenBudget belongs to one running turn.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reagent/core/clock.h"
#include "reagent/core/expected.h"
#include "reagent/core/message.h"

namespace reagent {

// Limits of one scope. Every field is optional: 0 means unlimited.
struct BudgetLimits {
  // Prompt + completion tokens of every model call. 8,000 is a common per-turn cap.
  int64_t max_tokens = 0;
  // USD of every model call, reserved at the worst case (no cached input, full allowance).
  double max_cost_usd = 0;
  // Reason/act steps of a turn (the closing "answer now" call is not a step). When both this
  // and AgentOptions::max_steps are set, the smaller wins.
  int max_steps = 0;
  // Wall-clock time of a turn, on the agent's Clock. Model calls and tools get it as their
  // deadline, so nothing waits past it.
  Duration deadline{0};
};

// Worst-case per-token prices used to reserve the cost of a call before it is made.
struct TokenPrice {
  double input_per_token = 0;
  double output_per_token = 0;
};

enum class BudgetDimension { kTokens, kCost, kSteps, kTime };
std::string_view BudgetDimensionName(BudgetDimension d);  // "tokens", "cost", "steps", "time"

// A limit passed `fraction` of its size for the first time (emitted once per limit).
struct BudgetWarning {
  BudgetDimension dimension = BudgetDimension::kTokens;
  std::string scope;  // "turn", "session", "user"
  double fraction = 0;
  double spent = 0;
  double limit = 0;
};

// What a call may spend: its exact prompt and at most max_output_tokens of output.
struct Reservation {
  uint64_t id = 0;
  int64_t prompt_tokens = 0;
  int64_t max_output_tokens = 0;
  double max_cost_usd = 0;
};

// Why a call does not fit.
struct BudgetShortfall {
  BudgetDimension dimension = BudgetDimension::kTokens;
  std::string scope;
  int64_t prompt_tokens = 0;
  int64_t output_left = 0;     // output tokens the limit still allows after the prompt (may be < 0)
  int64_t min_output = 0;
  std::string ToString() const;  // "turn token budget: 3990 of 4000 spent, prompt 120 ..."
};

class TokenBudget {
 public:
  // A budget for one turn starting now on `clock` (which must outlive it). Warnings fire when
  // a limit passes `warn_at` of its size (0.7 = 70 %; <= 0 or >= 1 disables them).
  TokenBudget(BudgetLimits turn_limits, Clock& clock, double warn_at = 0.7);

  // Adds an enclosing scope whose earlier spend counts against its own limits ("session",
  // "user"): a call must fit the turn and every added scope.
  void AddScope(std::string name, int64_t max_tokens, double max_cost_usd, int64_t spent_tokens,
                double spent_cost_usd);

  // Reserves a call of exactly `prompt_tokens` with up to `desired_output` output tokens,
  // lowered to what every limit leaves. Fails when fewer than min(min_output, desired_output)
  // output tokens would remain. Outstanding reservations count as spent.
  Expected<Reservation, BudgetShortfall> Reserve(int64_t prompt_tokens, int64_t desired_output,
                                                 int64_t min_output, TokenPrice price = {});

  // Charges the real usage of a reserved call and releases its reservation. A usage without
  // a cost is charged the reservation's worst-case cost. Returns the warnings crossed now.
  std::vector<BudgetWarning> Settle(const Reservation& reservation, const Usage& actual);

  // Releases a reservation whose call spent nothing (it failed before the provider charged).
  // Settling or releasing a reservation twice has no further effect.
  void Release(const Reservation& reservation);

  // Counts one reason/act step; returns the warnings crossed now.
  std::vector<BudgetWarning> CountStep();
  // Whether another step is allowed by limits.max_steps.
  bool StepAvailable() const;
  int steps() const { return steps_; }

  // The turn's deadline (start + limits.deadline), if any, and whether it has passed.
  std::optional<TimePoint> deadline() const;
  bool DeadlinePassed() const;
  // Warns once when `warn_at` of the deadline has elapsed.
  std::vector<BudgetWarning> CheckTime();

  // Tokens still available to a new reservation in every scope; nullopt when unlimited.
  std::optional<int64_t> RemainingTokens() const;
  // USD still available to a new reservation in every scope; nullopt when unlimited.
  std::optional<double> RemainingCostUsd() const;

  int64_t spent_tokens() const;       // this turn
  double spent_cost_usd() const;      // this turn
  // Tokens charged beyond their reservations (a provider reporting more than was reserved).
  int64_t overrun_tokens() const { return overrun_tokens_; }
  const BudgetLimits& limits() const { return limits_; }

 private:
  struct Scope {
    std::string name;
    int64_t max_tokens = 0;
    double max_cost_usd = 0;
    int64_t spent_tokens = 0;
    double spent_cost_usd = 0;
    bool warned_tokens = false;
    bool warned_cost = false;
  };
  void WarnIfCrossed(Scope& s, std::vector<BudgetWarning>& out);

  BudgetLimits limits_;
  Clock* clock_;
  double warn_at_;
  TimePoint start_;
  std::vector<Scope> scopes_;  // [0] is the turn
  std::vector<Reservation> outstanding_;  // reserved, not yet settled or released
  uint64_t next_id_ = 1;
  int steps_ = 0;
  bool warned_steps_ = false;
  bool warned_time_ = false;
  int64_t overrun_tokens_ = 0;
};

}  // namespace reagent
