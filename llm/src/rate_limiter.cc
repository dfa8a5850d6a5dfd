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
  if (options_.requests_per_period > 0) {
    rates_.requests = RateFor(options_.requests_per_period);
    state_->Begin(PaceBucket::kRequests, rates_.requests);
  }
  if (options_.tokens_per_period > 0) {
    rates_.tokens = RateFor(options_.tokens_per_period);
    state_->Begin(PaceBucket::kTokens, rates_.tokens);
  }
}

BucketRate RateLimiter::RateFor(double per_period) const {
  return BucketRate{.per_second = per_period * options_.target_utilization / ToSeconds(options_.period),
                    .capacity = std::max(1.0, per_period * options_.burst_fraction)};
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

void RateLimiter::Observe(const RateLimitInfo& info) {
  auto adapt = [&](PaceBucket which, BucketRate& rate, double configured, const std::optional<int64_t>& limit,
                   const std::optional<int64_t>& remaining, const std::optional<double>& reset) {
    bool learned = false;
    BucketRate current;
    {
      std::lock_guard lock(mu_);
      if (options_.learn_limits_from_headers && configured <= 0 && rate.per_second <= 0 && limit && *limit > 0) {
        rate = RateFor(static_cast<double>(*limit));
        learned = true;
      }
      current = rate;
    }
    if (learned) state_->Begin(which, current);
    if (!options_.adapt_to_headers) return;
    std::optional<double> cap;
    if (remaining) cap = static_cast<double>(*remaining);
    Duration pause{0};
    if (remaining && *remaining <= 0 && reset && *reset > 0) pause = Seconds(*reset);
    if (cap || pause > Duration::zero()) state_->Observe(which, current, cap, pause);
  };
  adapt(PaceBucket::kRequests, rates_.requests, options_.requests_per_period, info.limit_requests,
        info.remaining_requests, info.reset_requests_s);
  adapt(PaceBucket::kTokens, rates_.tokens, options_.tokens_per_period, info.limit_tokens,
        info.remaining_tokens, info.reset_tokens_s);
}

void RateLimiter::PauseFor(double seconds) {
  if (!options_.adapt_to_headers || !(seconds > 0)) return;
  state_->Observe(PaceBucket::kRequests, rates().requests, std::nullopt, Seconds(seconds));
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
  return rates().requests.per_second * ToSeconds(options_.period) / options_.target_utilization;
}

double RateLimiter::tokens_per_period() const {
  return rates().tokens.per_second * ToSeconds(options_.period) / options_.target_utilization;
}

}  // namespace reagent
