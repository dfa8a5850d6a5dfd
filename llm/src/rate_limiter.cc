#include "reagent/llm/rate_limiter.h"

#include <algorithm>
#include <utility>

#include "failure_reason.h"

namespace reagent {
namespace {

// How often a caller waiting for a concurrency slot re-checks its deadline on the injected
// clock (a slot freed or a cancellation wakes it at once).
constexpr auto kSlotPoll = std::chrono::milliseconds(50);

}  // namespace

using internal::FormatSeconds;

Status RateLimiterOptions::Validate() const {
  if (requests_per_period < 0 || tokens_per_period < 0) {
    return Status::InvalidArgument("rate limits must not be negative");
  }
  if (period <= Duration::zero()) return Status::InvalidArgument("rate limit period must be positive");
  if (!(target_utilization > 0 && target_utilization <= 1)) {
    return Status::InvalidArgument("limiter.target_utilization must be in (0, 1]");
  }
  if (!(burst_fraction >= 0 && burst_fraction <= 1)) {
    return Status::InvalidArgument("limiter.burst_fraction must be in [0, 1]");
  }
  if (max_concurrency < 0) return Status::InvalidArgument("limiter.max_concurrency must be >= 0");
  if (max_wait < Duration::zero()) return Status::InvalidArgument("limiter.max_wait must be >= 0");
  if (max_inferred_window <= Duration::zero()) {
    return Status::InvalidArgument("limiter.max_inferred_window must be positive");
  }
  return Status::Ok();
}

// --- Permit ---------------------------------------------------------------------------------

RateLimiter::Permit::Permit(Permit&& other) noexcept
    : limiter_(std::exchange(other.limiter_, nullptr)), tokens_(other.tokens_),
      settled_(other.settled_), waited_(other.waited_) {}

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& other) noexcept {
  if (this != &other) {
    if (limiter_) limiter_->ReleaseSlot();
    limiter_ = std::exchange(other.limiter_, nullptr);
    tokens_ = other.tokens_;
    settled_ = other.settled_;
    waited_ = other.waited_;
  }
  return *this;
}

RateLimiter::Permit::~Permit() {
  if (limiter_) limiter_->ReleaseSlot();
}

void RateLimiter::Permit::Settle(int64_t actual_tokens) {
  if (!limiter_ || settled_) return;
  settled_ = true;
  limiter_->Refund(0, static_cast<double>(tokens_ - std::max<int64_t>(0, actual_tokens)));
}

// --- RateLimiter ----------------------------------------------------------------------------

RateLimiter::RateLimiter(Clock& clock, RateLimiterOptions options, std::shared_ptr<PacingState> state)
    : clock_(clock), options_(options), state_(state ? std::move(state) : MakeLocalPacingState(clock)) {
  auto configure = [&](PaceBucket which, BucketRule& rule, BucketRate& rate, double per_period) {
    if (per_period <= 0) return;
    rule.limit = per_period;
    rule.window = options_.period;
    rate = RateFor(per_period, options_.period);
    state_->Begin(which, rate);
  };
  configure(PaceBucket::kRequests, requests_rule_, rates_.requests, options_.requests_per_period);
  configure(PaceBucket::kTokens, tokens_rule_, rates_.tokens, options_.tokens_per_period);
}

BucketRate RateLimiter::RateFor(double per_window, Duration window) const {
  return BucketRate{.per_second = per_window * options_.target_utilization / ToSeconds(window),
                    .capacity = std::max(1.0, per_window * options_.burst_fraction)};
}

PaceRates RateLimiter::rates() const {
  std::lock_guard lock(mu_);
  return rates_;
}

Status RateLimiter::AcquireSlot(std::optional<TimePoint> deadline,
                                const CancellationToken& cancel) {
  const int cap = options_.max_concurrency;
  int subscription = cancel.OnCancel([this] {
    std::lock_guard lock(mu_);
    slot_freed_.notify_all();
  });
  Status status;
  {
    std::unique_lock lock(mu_);
    while (cap > 0 && in_flight_ >= cap) {
      if (cancel.cancelled()) {
        status = Status::Cancelled("cancelled while waiting for a free call slot");
        break;
      }
      if (deadline && clock_.Now() >= *deadline) {
        status = Status::DeadlineExceeded("deadline passed while waiting for one of " +
                                          std::to_string(cap) + " call slots");
        break;
      }
      slot_freed_.wait_for(lock, kSlotPoll);
    }
    if (status.ok()) ++in_flight_;
  }
  cancel.Unsubscribe(subscription);
  return status;
}

void RateLimiter::ReleaseSlot() {
  {
    std::lock_guard lock(mu_);
    --in_flight_;
  }
  slot_freed_.notify_one();
}

void RateLimiter::Refund(double requests, double tokens) { state_->Give(rates(), requests, tokens); }

Result<RateLimiter::Permit> RateLimiter::Acquire(int64_t estimated_tokens,
                                                 std::optional<TimePoint> deadline,
                                                 const CancellationToken& cancel) {
  const TimePoint start = clock_.Now();
  if (Status slot = AcquireSlot(deadline, cancel); !slot.ok()) return slot;
  const double tokens = static_cast<double>(std::max<int64_t>(0, estimated_tokens));
  const TimePoint now = clock_.Now();
  Duration limit = Duration::max();
  if (deadline) limit = *deadline - now;
  if (options_.max_wait > Duration::zero()) limit = std::min(limit, options_.max_wait);
  // Reserved now, even if the slot is in the future: later callers queue behind this one.
  Result<PaceReservation> reservation = state_->Reserve(rates(), 1, tokens, limit);
  Status refused;
  if (!reservation.ok()) {
    refused = reservation.status();
  } else if (!reservation->reserved) {
    const Duration wait = reservation->wait;
    if (deadline && now + wait > *deadline) {
      refused = Status::DeadlineExceeded("rate limit: the next free slot is in " +
                                         FormatSeconds(wait) + ", past the deadline");
    } else {
      refused = Status::RateLimited("rate limit: the next free slot is in " + FormatSeconds(wait) +
                                    ", more than the " + FormatSeconds(options_.max_wait) +
                                    " this client waits");
    }
    refused.set_retry_after_s(ToSeconds(wait));
  }
  if (!refused.ok()) {
    ReleaseSlot();
    return refused;
  }
  const Duration wait = reservation->wait;
  if (wait > Duration::zero() && !clock_.SleepFor(wait, cancel)) {
    Refund(1, tokens);
    ReleaseSlot();
    return Status::Cancelled("cancelled while waiting for the rate limiter");
  }
  return Permit(this, static_cast<int64_t>(tokens), clock_.Now() - start);
}

bool RateLimiter::Learn(BucketRule& rule, BucketRate& rate, double configured,
                        const std::optional<int64_t>& limit, const std::optional<int64_t>& remaining,
                        const std::optional<double>& reset) {
  if (!options_.learn_limits_from_headers || configured > 0 || !limit || *limit <= 0) return false;
  const double max_window = ToSeconds(options_.max_inferred_window);
  Duration window = rule.learned ? rule.window : options_.period;
  bool from_reset = rule.window_from_reset;
  // A reset counts only while something is used: a full bucket's reset says nothing.
  if (options_.infer_window_from_headers && reset && *reset > 0 && *reset <= max_window &&
      (!remaining || *remaining < *limit)) {
    const Duration seen = CeilSeconds(*reset);
    window = from_reset ? std::max(window, seen) : seen;
    from_reset = true;
  }
  const double per_window = static_cast<double>(*limit);
  const bool first = !rule.learned;
  if (first || per_window != rule.limit || window != rule.window) {
    // A retuned bucket keeps its level (and any debt) in the state; only its rate changes.
    rule.limit = per_window;
    rule.window = window;
    rate = RateFor(per_window, window);
  }
  rule.learned = true;
  rule.window_from_reset = from_reset;
  return first;
}

void RateLimiter::WidenWindow(BucketRule& rule, BucketRate& rate, double seconds) {
  if (!rule.learned || !options_.infer_window_from_headers || !(seconds > 0) ||
      seconds > ToSeconds(options_.max_inferred_window)) {
    return;
  }
  const Duration seen = CeilSeconds(seconds);
  if (rule.window_from_reset && seen <= rule.window) return;
  rule.window = rule.window_from_reset ? std::max(rule.window, seen) : seen;
  rule.window_from_reset = true;
  rate = RateFor(rule.limit, rule.window);
}

void RateLimiter::Observe(const RateLimitInfo& info) {
  auto adapt = [&](PaceBucket which, BucketRule& rule, BucketRate& rate, double configured,
                   const std::optional<int64_t>& limit, const std::optional<int64_t>& remaining,
                   const std::optional<double>& reset) {
    bool begin = false;
    BucketRate current;
    {
      std::lock_guard lock(mu_);
      if (remaining) rule.last_remaining = *remaining;
      begin = Learn(rule, rate, configured, limit, remaining, reset);
      current = rate;
    }
    if (begin) state_->Begin(which, current);
    if (!options_.adapt_to_headers) return;
    std::optional<double> cap;
    if (remaining) cap = static_cast<double>(*remaining);
    Duration pause{0};
    if (remaining && *remaining <= 0 && reset && *reset > 0) pause = Seconds(*reset);
    if (cap || pause > Duration::zero()) state_->Observe(which, current, cap, pause);
  };
  adapt(PaceBucket::kRequests, requests_rule_, rates_.requests, options_.requests_per_period,
        info.limit_requests, info.remaining_requests, info.reset_requests_s);
  adapt(PaceBucket::kTokens, tokens_rule_, rates_.tokens, options_.tokens_per_period, info.limit_tokens,
        info.remaining_tokens, info.reset_tokens_s);
}

void RateLimiter::PauseFor(double seconds) {
  if (!options_.adapt_to_headers || !(seconds > 0)) return;
  BucketRate requests;
  {
    std::lock_guard lock(mu_);
    const bool tokens_exhausted = tokens_rule_.last_remaining && *tokens_rule_.last_remaining <= 0;
    const bool requests_exhausted = requests_rule_.last_remaining && *requests_rule_.last_remaining <= 0;
    if (tokens_exhausted && !requests_exhausted) {
      WidenWindow(tokens_rule_, rates_.tokens, seconds);
    } else {
      WidenWindow(requests_rule_, rates_.requests, seconds);
    }
    requests = rates_.requests;
  }
  state_->Observe(PaceBucket::kRequests, requests, std::nullopt, Seconds(seconds));
}

double RateLimiter::requests_available() {
  auto levels = state_->Levels(rates());
  return levels.ok() ? levels->requests : 0;
}

double RateLimiter::tokens_available() {
  auto levels = state_->Levels(rates());
  return levels.ok() ? levels->tokens : 0;
}

int RateLimiter::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

double RateLimiter::requests_per_period() const {
  std::lock_guard lock(mu_);
  return rates_.requests.per_second > 0 ? requests_rule_.limit : 0;
}

double RateLimiter::tokens_per_period() const {
  std::lock_guard lock(mu_);
  return rates_.tokens.per_second > 0 ? tokens_rule_.limit : 0;
}

Duration RateLimiter::requests_window() const {
  std::lock_guard lock(mu_);
  return requests_rule_.window;
}

Duration RateLimiter::tokens_window() const {
  std::lock_guard lock(mu_);
  return tokens_rule_.window;
}

}  // namespace reagent
