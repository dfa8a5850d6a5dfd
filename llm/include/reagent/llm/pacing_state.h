// PacingState: the memory of a RateLimiter's two buckets (requests and tokens) — their
// levels, when they were last refilled, and pauses — kept apart from the limiter so that
// several processes can pace against one provider limit. The RateLimiter keeps the rules
// (rates and capacities from its options or learned from headers, arrival-order queueing,
// the concurrency cap, deadlines); a state only applies them to the buckets atomically.
//
//   auto shared = MakeLocalPacingState(clock);            // or a Redis one (reagent/redis)
//   RateLimiter a(clock, {.requests_per_period = 600}, shared);
//   RateLimiter b(clock, {.requests_per_period = 600}, shared);   // a and b pace together
//
// Each state keeps its own time: the in-process one the injected Clock, a shared one a
// clock all its users agree on (Redis's). Waits come back as durations, which the limiter
// sleeps on its own clock. Implementations are thread-safe. A state that cannot be reached
// fails Reserve with a Status (the call is then not sent); the other calls only adjust and
// log their failures.
#pragma once

#include <memory>
#include <optional>

#include "reagent/core/clock.h"
#include "reagent/core/status.h"

namespace reagent {

enum class PaceBucket { kRequests, kTokens };

struct BucketRate {
  double per_second = 0;  // refill rate; 0: unlimited (only pauses apply)
  double capacity = 0;    // the most the bucket holds (its burst)
};

struct PaceRates {
  BucketRate requests, tokens;
};

struct PaceLevels {
  double requests = 0, tokens = 0;  // may be negative: reservations queued ahead
};

struct PaceReservation {
  Duration wait{0};       // until the amounts are covered and any pause is over
  bool reserved = false;  // false: `wait` exceeded the caller's limit and nothing was taken
};

class PacingState {
 public:
  virtual ~PacingState() = default;

  // A bucket begins full at `rate`, unless it already has state (another user of a shared
  // state began it): a replica that starts does not refill the others' bucket.
  virtual void Begin(PaceBucket bucket, const BucketRate& rate) = 0;

  // Refills both buckets to now, computes the wait until `requests` and `tokens` are
  // available (an amount beyond capacity waits for a full bucket) and, when that wait is at
  // most `max_wait`, takes them — levels may go below zero, so later callers queue behind.
  virtual Result<PaceReservation> Reserve(const PaceRates& rates, double requests, double tokens,
                                          Duration max_wait) = 0;

  // Puts amounts back (a cancelled wait; a call that used fewer tokens than reserved) or,
  // when negative, charges more. A level never exceeds its capacity.
  virtual void Give(const PaceRates& rates, double requests, double tokens) = 0;

  // The provider's view of a bucket: its level is at most `remaining` (when set, for a
  // paced bucket), and nothing is taken from it for `pause` from now (when positive).
  virtual void Observe(PaceBucket bucket, const BucketRate& rate, std::optional<double> remaining,
                       Duration pause) = 0;

  // The levels now (refilled), for diagnostics and tests.
  virtual Result<PaceLevels> Levels(const PaceRates& rates) = 0;
};

// The in-process state on the injected clock, which must outlive it. What a RateLimiter uses
// when given none; share one between limiters of one process to pace them together.
std::shared_ptr<PacingState> MakeLocalPacingState(Clock& clock);

}  // namespace reagent
