#include "reagent/agent/token_budget.h"

#include <random>

#include <gtest/gtest.h>

namespace reagent {
namespace {

TEST(TokenBudget, ReservationCapsOutputToWhatIsLeft) {
  ManualClock clock;
  TokenBudget budget({.max_tokens = 1000}, clock);
  auto r = budget.Reserve(900, 1024, 32);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->prompt_tokens, 900);
  EXPECT_EQ(r->max_output_tokens, 100);
}

TEST(TokenBudget, UnlimitedBudgetGrantsTheDesiredOutput) {
  ManualClock clock;
  TokenBudget budget({}, clock);
  auto r = budget.Reserve(100000, 1024, 32);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_output_tokens, 1024);
  EXPECT_FALSE(budget.RemainingTokens().has_value());
}

TEST(TokenBudget, CallThatLeavesFewerThanMinOutputDoesNotFit) {
  ManualClock clock;
  TokenBudget budget({.max_tokens = 1000}, clock);
  auto r = budget.Reserve(969, 1024, 32);  // 31 left for output
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().dimension, BudgetDimension::kTokens);
  EXPECT_EQ(r.error().scope, "turn");
  EXPECT_EQ(r.error().output_left, 31);
  EXPECT_TRUE(budget.Reserve(968, 1024, 32).ok());  // exactly 32 left
}

TEST(TokenBudget, SettleChargesRealUsageAndFreesTheRest) {
  ManualClock clock;
  TokenBudget budget({.max_tokens = 1000}, clock);
  auto r = budget.Reserve(100, 500, 32);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*budget.RemainingTokens(), 400);  // reservation counts as spent
  budget.Settle(*r, Usage{.prompt_tokens = 100, .completion_tokens = 20});
  EXPECT_EQ(budget.spent_tokens(), 120);
  EXPECT_EQ(*budget.RemainingTokens(), 880);
  // Settling twice charges nothing more.
  budget.Settle(*r, Usage{.prompt_tokens = 100, .completion_tokens = 20});
  EXPECT_EQ(budget.spent_tokens(), 120);
}

TEST(TokenBudget, ReleasedReservationSpendsNothing) {
  ManualClock clock;
  TokenBudget budget({.max_tokens = 1000}, clock);
  auto r = budget.Reserve(100, 500, 32);
  ASSERT_TRUE(r.ok());
  budget.Release(*r);
  EXPECT_EQ(budget.spent_tokens(), 0);
  EXPECT_EQ(*budget.RemainingTokens(), 1000);
}

TEST(TokenBudget, CostLimitCapsOutputAtWorstCasePrice) {
  ManualClock clock;
  // $2/M input, $8/M output (gpt-4.1): 1000 prompt tokens cost $0.002; $0.01 leaves $0.008,
  // i.e. 1000 output tokens.
  TokenBudget budget({.max_cost_usd = 0.01}, clock);
  const TokenPrice price{.input_per_token = 2e-6, .output_per_token = 8e-6};
  auto r = budget.Reserve(1000, 4096, 32, price);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_output_tokens, 1000);
  EXPECT_NEAR(r->max_cost_usd, 0.01, 1e-12);
}

TEST(TokenBudget, CostLimitRefusesAPromptItCannotPay) {
  ManualClock clock;
  TokenBudget budget({.max_cost_usd = 0.001}, clock);
  auto r = budget.Reserve(1000, 1024, 32, {.input_per_token = 2e-6, .output_per_token = 8e-6});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().dimension, BudgetDimension::kCost);
}

TEST(TokenBudget, UsageWithoutCostIsChargedTheWorstCase) {
  ManualClock clock;
  TokenBudget budget({.max_cost_usd = 1.0}, clock);
  auto r = budget.Reserve(1000, 1000, 32, {.input_per_token = 1e-6, .output_per_token = 1e-6});
  ASSERT_TRUE(r.ok());
  budget.Settle(*r, Usage{.prompt_tokens = 1000, .completion_tokens = 10});
  EXPECT_NEAR(budget.spent_cost_usd(), 0.002, 1e-12);
}

TEST(TokenBudget, WarnsOnceWhenSeventyPercentIsSpent) {
  ManualClock clock;
  TokenBudget budget({.max_tokens = 1000}, clock);
  auto r1 = budget.Reserve(600, 100, 32);
  ASSERT_TRUE(r1.ok());
  EXPECT_TRUE(budget.Settle(*r1, {.prompt_tokens = 600, .completion_tokens = 99}).empty());
  auto r2 = budget.Reserve(1, 100, 1);
  ASSERT_TRUE(r2.ok());
  auto w = budget.Settle(*r2, {.prompt_tokens = 1, .completion_tokens = 0});
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].dimension, BudgetDimension::kTokens);
  EXPECT_DOUBLE_EQ(w[0].fraction, 0.7);
  auto r3 = budget.Reserve(10, 10, 1);
  ASSERT_TRUE(r3.ok());
  EXPECT_TRUE(budget.Settle(*r3, {.prompt_tokens = 10, .completion_tokens = 10}).empty());
}

TEST(TokenBudget, StepsAreBoundedAndWarnAtSeventyPercent) {
  ManualClock clock;
  TokenBudget budget({.max_steps = 10}, clock);
  int warnings = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(budget.StepAvailable());
    for (const auto& w : budget.CountStep()) {
      EXPECT_EQ(w.dimension, BudgetDimension::kSteps);
      EXPECT_EQ(budget.steps(), 7);
      ++warnings;
    }
  }
  EXPECT_FALSE(budget.StepAvailable());
  EXPECT_EQ(warnings, 1);
}

TEST(TokenBudget, DeadlineIsMeasuredOnTheInjectedClock) {
  ManualClock clock;
  TokenBudget budget({.deadline = Seconds(120)}, clock);
  EXPECT_FALSE(budget.DeadlinePassed());
  clock.Advance(Seconds(84));
  ASSERT_EQ(budget.CheckTime().size(), 1u);
  clock.Advance(Seconds(36));
  EXPECT_TRUE(budget.DeadlinePassed());
  EXPECT_EQ(*budget.deadline(), TimePoint(Seconds(120)));
}

TEST(TokenBudget, SessionScopeCountsEarlierSpend) {
  ManualClock clock;
  TokenBudget budget({.max_tokens = 10000}, clock);
  budget.AddScope("session", 5000, 0, 4500, 0);
  auto r = budget.Reserve(400, 1024, 32);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->max_output_tokens, 100);
  auto too_big = budget.Reserve(50, 1024, 32);  // 4500 + 500 reserved = full
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().scope, "session");
}

TEST(TokenBudget, OverrunIsChargedAndReported) {
  ManualClock clock;
  TokenBudget budget({.max_tokens = 1000}, clock);
  auto r = budget.Reserve(100, 100, 32);
  ASSERT_TRUE(r.ok());
  budget.Settle(*r, {.prompt_tokens = 150, .completion_tokens = 100});
  EXPECT_EQ(budget.spent_tokens(), 250);
  EXPECT_EQ(budget.overrun_tokens(), 50);
}

// Property: with random limits, prompts and usages that stay within their reservations, the
// spent tokens and cost never exceed any limit, whatever the order of calls.
TEST(TokenBudget, NeverExceededUnderRandomUsage) {
  std::mt19937_64 rng(20251123);
  for (int trial = 0; trial < 2000; ++trial) {
    ManualClock clock;
    std::uniform_int_distribution<int64_t> limit_dist(0, 20000);
    const int64_t max_tokens = limit_dist(rng) < 2000 ? 0 : limit_dist(rng);
    const double max_cost = std::uniform_real_distribution<double>(0, 0.05)(rng);
    const bool with_cost = rng() % 2 == 0;
    TokenBudget budget({.max_tokens = max_tokens, .max_cost_usd = with_cost ? max_cost : 0}, clock);
    const int64_t session_limit = rng() % 3 == 0 ? limit_dist(rng) + 1 : 0;
    const int64_t session_spent = session_limit > 0 ? session_limit / 2 : 0;
    if (session_limit > 0) budget.AddScope("session", session_limit, 0, session_spent, 0);
    const TokenPrice price{.input_per_token = std::uniform_real_distribution<double>(0, 1e-5)(rng),
                           .output_per_token = std::uniform_real_distribution<double>(1e-7, 4e-5)(rng)};
    int64_t session_tokens = session_spent;
    for (int call = 0; call < 50; ++call) {
      const int64_t prompt = std::uniform_int_distribution<int64_t>(0, 3000)(rng);
      const int64_t desired = std::uniform_int_distribution<int64_t>(1, 2048)(rng);
      auto r = budget.Reserve(prompt, desired, 32, price);
      if (!r.ok()) continue;
      ASSERT_LE(r->max_output_tokens, desired);
      if (rng() % 5 == 0) {
        budget.Release(*r);
        continue;
      }
      const int64_t completion =
          std::uniform_int_distribution<int64_t>(0, r->max_output_tokens)(rng);
      const int64_t cached = std::uniform_int_distribution<int64_t>(0, prompt)(rng);
      // Cached input is cheaper; the provider's bill is never above the worst case.
      const double cost = static_cast<double>(prompt - cached) * price.input_per_token +
                          static_cast<double>(cached) * price.input_per_token * 0.25 +
                          static_cast<double>(completion) * price.output_per_token;
      budget.Settle(*r, Usage{.prompt_tokens = prompt, .completion_tokens = completion,
                              .cached_tokens = cached, .cost_usd = cost});
      session_tokens += prompt + completion;
      if (max_tokens > 0) {
        ASSERT_LE(budget.spent_tokens(), max_tokens) << "trial " << trial;
      }
      if (with_cost) {
        ASSERT_LE(budget.spent_cost_usd(), max_cost + 1e-9) << "trial " << trial;
      }
      if (session_limit > 0) {
        ASSERT_LE(session_tokens, session_limit) << "trial " << trial;
      }
    }
    EXPECT_EQ(budget.overrun_tokens(), 0);
  }
}

}  // namespace
}  // namespace reagent
