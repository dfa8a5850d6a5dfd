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

// --- Bucket ---------------------------------------------------------------------------------

void RateLimiter::Bucket::Configure(double per_window, Duration w, const RateLimiterOptions& o,
                                    TimePoint now) {
  Retune(per_window, w, o, now);
  level = capacity;
}

void RateLimiter::Bucket::Retune(double per_window, Duration w, const RateLimiterOptions& o,
                                 TimePoint now) {
  if (rate > 0) Refill(now);
  limit = per_window;
  window = w;
  rate = per_window * o.target_utilization / ToSeconds(w);
  capacity = std::max(1.0, per_window * o.burst_fraction);
  level = std::min(level, capacity);
  updated = now;
}

void RateLimiter::Bucket::Refill(TimePoint now) {
  if (rate <= 0 || now <= updated) return;
  level = std::min(capacity, level + rate * ToSeconds(now - updated));
  updated = now;
}

Duration RateLimiter::Bucket::Wait(double amount, TimePoint now) const {
  Duration wait = std::max(Duration::zero(), paused_until - now);
  if (rate <= 0) return wait;
  // A call larger than the whole bucket goes when the bucket is full (and leaves it in debt).
  const double need = std::min(amount, capacity);
  if (level >= need) return wait;
  // Rounded up: a wait cut short by rounding would find the bucket a hair short.
  return std::max(wait, CeilSeconds((need - level) / rate));
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

RateLimiter::RateLimiter(Clock& clock, RateLimiterOptions options)
    : clock_(clock), options_(options) {
  const TimePoint now = clock_.Now();
  if (options_.requests_per_period > 0) {
    requests_.Configure(options_.requests_per_period, options_.period, options_, now);
  }
  if (options_.tokens_per_period > 0) tokens_.Configure(options_.tokens_per_period, options_.period, options_, now);
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

void RateLimiter::Refund(double requests, double tokens) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  requests_.Refill(now);
  tokens_.Refill(now);
  if (requests_.rate > 0) requests_.level = std::min(requests_.capacity, requests_.level + requests);
  if (tokens_.rate > 0) tokens_.level = std::min(tokens_.capacity, tokens_.level + tokens);
}

Result<RateLimiter::Permit> RateLimiter::Acquire(int64_t estimated_tokens,
                                                 std::optional<TimePoint> deadline,
                                                 const CancellationToken& cancel) {
  const TimePoint start = clock_.Now();
  if (Status slot = AcquireSlot(deadline, cancel); !slot.ok()) return slot;
  const double tokens = static_cast<double>(std::max<int64_t>(0, estimated_tokens));
  Duration wait;
  {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_.Now();
    requests_.Refill(now);
    tokens_.Refill(now);
    wait = std::max(requests_.Wait(1, now), tokens_.Wait(tokens, now));
    Status refused;
    if (deadline && now + wait > *deadline) {
      refused = Status::DeadlineExceeded("rate limit: the next free slot is in " +
                                         FormatSeconds(wait) + ", past the deadline");
    } else if (options_.max_wait > Duration::zero() && wait > options_.max_wait) {
      refused = Status::RateLimited("rate limit: the next free slot is in " + FormatSeconds(wait) +
                                    ", more than the " + FormatSeconds(options_.max_wait) +
                                    " this client waits");
    }
    if (!refused.ok()) {
      --in_flight_;
      slot_freed_.notify_one();
      refused.set_retry_after_s(ToSeconds(wait));
      return refused;
    }
    // Reserve now, even if the slot is in the future: later callers queue behind this one.
    if (requests_.rate > 0) requests_.level -= 1;
    if (tokens_.rate > 0) tokens_.level -= tokens;
  }
  if (wait > Duration::zero() && !clock_.SleepFor(wait, cancel)) {
    Refund(1, tokens);
    ReleaseSlot();
    return Status::Cancelled("cancelled while waiting for the rate limiter");
  }
  return Permit(this, static_cast<int64_t>(tokens), clock_.Now() - start);
}

void RateLimiter::Learn(Bucket& bucket, double configured, const std::optional<int64_t>& limit,
                        const std::optional<int64_t>& remaining, const std::optional<double>& reset,
                        TimePoint now) {
  if (!options_.learn_limits_from_headers || configured > 0 || !limit || *limit <= 0) return;
  const double max_window = ToSeconds(options_.max_inferred_window);
  Duration window = bucket.learned ? bucket.window : options_.period;
  bool from_reset = bucket.window_from_reset;
  // A reset counts only while something is used: a full bucket's reset says nothing.
  if (options_.infer_window_from_headers && reset && *reset > 0 && *reset <= max_window &&
      (!remaining || *remaining < *limit)) {
    const Duration seen = CeilSeconds(*reset);
    window = from_reset ? std::max(window, seen) : seen;
    from_reset = true;
  }
  const double per_window = static_cast<double>(*limit);
  if (!bucket.learned) {
    bucket.Configure(per_window, window, options_, now);
    bucket.learned = true;
  } else if (per_window != bucket.limit || window != bucket.window) {
    bucket.Retune(per_window, window, options_, now);
  }
  bucket.window_from_reset = from_reset;
}

void RateLimiter::WidenWindow(Bucket& bucket, double seconds, TimePoint now) {
  if (!bucket.learned || !options_.infer_window_from_headers || !(seconds > 0) ||
      seconds > ToSeconds(options_.max_inferred_window)) {
    return;
  }
  const Duration seen = CeilSeconds(seconds);
  if (bucket.window_from_reset && seen <= bucket.window) return;
  bucket.Retune(bucket.limit, bucket.window_from_reset ? std::max(bucket.window, seen) : seen, options_, now);
  bucket.window_from_reset = true;
}

void RateLimiter::Observe(const RateLimitInfo& info) {
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  auto adapt = [&](Bucket& bucket, double configured, const std::optional<int64_t>& limit,
                   const std::optional<int64_t>& remaining, const std::optional<double>& reset) {
    if (remaining) bucket.last_remaining = *remaining;
    Learn(bucket, configured, limit, remaining, reset, now);
    if (!options_.adapt_to_headers) return;
    if (remaining && bucket.rate > 0) {
      bucket.Refill(now);
      bucket.level = std::min(bucket.level, static_cast<double>(*remaining));
    }
    if (remaining && *remaining <= 0 && reset && *reset > 0) {
      bucket.paused_until = std::max(bucket.paused_until, now + Seconds(*reset));
    }
  };
  adapt(requests_, options_.requests_per_period, info.limit_requests, info.remaining_requests,
        info.reset_requests_s);
  adapt(tokens_, options_.tokens_per_period, info.limit_tokens, info.remaining_tokens,
        info.reset_tokens_s);
}

void RateLimiter::PauseFor(double seconds) {
  if (!options_.adapt_to_headers || !(seconds > 0)) return;
  std::lock_guard lock(mu_);
  const TimePoint now = clock_.Now();
  const bool tokens_exhausted = tokens_.last_remaining && *tokens_.last_remaining <= 0;
  const bool requests_exhausted = requests_.last_remaining && *requests_.last_remaining <= 0;
  WidenWindow(tokens_exhausted && !requests_exhausted ? tokens_ : requests_, seconds, now);
  requests_.paused_until = std::max(requests_.paused_until, now + Seconds(seconds));
}

double RateLimiter::requests_available() {
  std::lock_guard lock(mu_);
  requests_.Refill(clock_.Now());
  return requests_.level;
}

double RateLimiter::tokens_available() {
  std::lock_guard lock(mu_);
  tokens_.Refill(clock_.Now());
  return tokens_.level;
}

int RateLimiter::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

double RateLimiter::requests_per_period() const {
  std::lock_guard lock(mu_);
  return requests_.rate > 0 ? requests_.limit : 0;
}

double RateLimiter::tokens_per_period() const {
  std::lock_guard lock(mu_);
  return tokens_.rate > 0 ? tokens_.limit : 0;
}

Duration RateLimiter::requests_window() const {
  std::lock_guard lock(mu_);
  return requests_.window;
}

Duration RateLimiter::tokens_window() const {
  std::lock_guard lock(mu_);
  return tokens_.window;
}

}  // namespace reagent
