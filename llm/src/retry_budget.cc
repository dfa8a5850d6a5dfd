#include "reagent/llm/retry_budget.h"

namespace reagent {

RetryBudget::RetryBudget(Clock& clock, double ratio, Duration window, int min_retries)
    : clock_(clock), ratio_(ratio), window_(window), min_retries_(min_retries) {}

void RetryBudget::Prune(TimePoint now) {
  const TimePoint horizon = now - window_;
  while (!calls_.empty() && calls_.front() <= horizon) calls_.pop_front();
  while (!retries_.empty() && retries_.front() <= horizon) retries_.pop_front();
}

void RetryBudget::RecordCall() {
  std::lock_guard lock(mu_);
  TimePoint now = clock_.Now();
  Prune(now);
  calls_.push_back(now);
}

bool RetryBudget::TryRetry() {
  std::lock_guard lock(mu_);
  TimePoint now = clock_.Now();
  Prune(now);
  const double allowed = min_retries_ + ratio_ * static_cast<double>(calls_.size());
  if (static_cast<double>(retries_.size()) + 1 > allowed) return false;
  retries_.push_back(now);
  return true;
}

int64_t RetryBudget::calls_in_window() {
  std::lock_guard lock(mu_);
  Prune(clock_.Now());
  return static_cast<int64_t>(calls_.size());
}

int64_t RetryBudget::retries_in_window() {
  std::lock_guard lock(mu_);
  Prune(clock_.Now());
  return static_cast<int64_t>(retries_.size());
}

}  // namespace reagent
