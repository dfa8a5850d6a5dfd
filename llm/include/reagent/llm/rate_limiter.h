// RateLimiter: client-side pacing for one model/endpoint, so calls stay under the provider's
// limits instead of discovering them through 429s.
//
//  - a request bucket (requests per period) and a token bucket (tokens per period): a call
//    reserves one request and its *estimated* tokens before it is sent, and settles with the
//    real usage afterwards (the difference is refunded or charged);
//  - reservations queue in arrival order: a caller that finds the bucket empty takes the next
//    free slot and sleeps until it comes (on the injected Clock), so N waiting threads are
//    released at the paced rate, not all at once when the bucket refills;
//  - a concurrency cap (default 10 calls in flight);
//  - the provider's x-ratelimit-remaining/reset headers (Observe) tighten the buckets, and a
//    429's retry hint pauses every caller of this limiter until the reset, so the client
//    slows down before more 429s arrive; unset limits are learned from x-ratelimit-limit-*,
//    and so is the window they count over (see Observe): "10 requests" from a provider
//    whose window is 5 s paces at 2/s, not 10 a minute;
//  - waits never run past the caller's deadline (the reservation is refused up front), never
//    exceed max_wait (60 s: refused as rate-limited), and end early on cancellation (the
//    reservation is returned).
// Shareable across threads: one limiter per endpoint, used by every caller of it. The buckets
// live in a PacingState (pacing_state.h): this process's by default, or one shared with other
// processes (redis/) so that N replicas together stay under one provider limit. The
// concurrency cap is always per limiter.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "reagent/core/cancellation.h"
#include "reagent/core/clock.h"
#include "reagent/core/status.h"
#include "reagent/llm/model_error.h"
#include "reagent/llm/pacing_state.h"

namespace reagent {

struct RateLimiterOptions {
  // The provider's limits per `period`; 0 = not paced (until learned from headers).
  double requests_per_period = 0;
  double tokens_per_period = 0;
  // The provider's limit period: 60 s for OpenAI's RPM/TPM. A time-scaled test server may use
  // a shorter one.
  Duration period = Seconds(60);
  // Share of the limits the client aims for: a little under 1 leaves room for other clients
  // of the same key and for clocks that disagree.
  double target_utilization = 0.97;
  // Bucket capacity as a share of one period's limit (at least one request / one call's
  // tokens): larger lets a quiet client burst, smaller keeps the provider's window safer.
  double burst_fraction = 0.05;
  // Calls in flight at once; 0 = unlimited. The semaphore of ~10 every production batch uses.
  int max_concurrency = 10;
  // The longest wait for the buckets before a call is refused as rate-limited (with the wait
  // as its retry hint) instead of queued: a provider pause of an hour (a daily limit) or a
  // backlog beyond this fails fast, so a fallback model can take the call. 0 = no limit.
  Duration max_wait = Seconds(60);
  // Tighten the buckets from x-ratelimit-remaining/reset and pause on 429 retry hints.
  bool adapt_to_headers = true;
  // When a limit above is 0, adopt x-ratelimit-limit-{requests,tokens}.
  bool learn_limits_from_headers = true;
  // A learned limit counts over the window inferred from the provider's resets (Observe);
  // false: over `period`, as configured limits do (for a provider whose period is known).
  bool infer_window_from_headers = true;
  // The longest window inferred (resets beyond it are not taken as the window): a day, the
  // longest period providers limit by (requests per day).
  Duration max_inferred_window = Seconds(86400);

  Status Validate() const;
};

class RateLimiter {
 public:
  // A reservation: one request, `tokens` estimated tokens, and a concurrency slot until it is
  // destroyed. Move-only; not thread-safe itself (one call owns it).
  class Permit {
   public:
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

    // Charges the real token count instead of the estimate (once; later calls are ignored).
    void Settle(int64_t actual_tokens);
    // How long Acquire waited for this permit (buckets and concurrency), on the limiter's clock.
    Duration waited() const { return waited_; }

   private:
    friend class RateLimiter;
    Permit(RateLimiter* limiter, int64_t tokens, Duration waited)
        : limiter_(limiter), tokens_(tokens), waited_(waited) {}
    RateLimiter* limiter_ = nullptr;
    int64_t tokens_ = 0;
    bool settled_ = false;
    Duration waited_{0};
  };

  // The clock must outlive the limiter (and the limiter its permits). `state` holds the
  // buckets; null: a private in-process state on `clock`.
  RateLimiter(Clock& clock, RateLimiterOptions options = {}, std::shared_ptr<PacingState> state = nullptr);

  // Waits for a concurrency slot, one request and `estimated_tokens`. Fails, reserving
  // nothing, with kDeadlineExceeded when the wait would end past `deadline`, with kRateLimited
  // (retry_after_s = the wait) when it would exceed max_wait, with kCancelled when `cancel`
  // fires while waiting, and with the state's error (kUnavailable) when a shared state cannot
  // be reached. Thread-safe.
  Result<Permit> Acquire(int64_t estimated_tokens, std::optional<TimePoint> deadline = {},
                         const CancellationToken& cancel = {});

  // Feeds the provider's rate-limit headers (from a response or an error). Thread-safe.
  //  - remaining tightens the bucket to what the provider says is left; remaining 0 pauses
  //    until that bucket's reset;
  //  - an unset limit is learned from limit-*; its window is the longest reset seen while
  //    something was used (remaining < limit), capped at max_inferred_window. Every way
  //    providers count refills within one window — a token bucket emptied (OpenAI: "time
  //    until the limit resets to its initial state"), a sliding window's oldest request, a
  //    fixed window's boundary — so no reset is longer than the window, and an exhausted
  //    bucket's reset is the window itself. Until a reset is seen the window is `period`.
  void Observe(const RateLimitInfo& info);
  // Pauses all callers for `seconds` from now (a 429's retry hint). The hint is also a lower
  // bound of the window of a learned limit that the last headers showed exhausted (or of
  // the request limit when none did). Thread-safe.
  void PauseFor(double seconds);

  // Current state, for tests and diagnostics. Thread-safe.
  double requests_available();
  double tokens_available();
  int in_flight() const;
  // The limits paced to and the windows they count over (learned or configured).
  double requests_per_period() const;
  double tokens_per_period() const;
  Duration requests_window() const;
  Duration tokens_window() const;

 private:
  // What the limiter knows of one bucket's limit; its level and pauses live in the state.
  struct BucketRule {
    double limit = 0;               // per window; 0 = not paced
    Duration window{0};
    bool learned = false;           // limit (and window) from headers, not options
    bool window_from_reset = false; // the window came from a reset, not the default period
    std::optional<int64_t> last_remaining;
  };
  // One bucket's rate from a limit per window, the options' utilization and burst.
  BucketRate RateFor(double per_window, Duration window) const;
  PaceRates rates() const;
  // Adopts a limit (and window) from headers into `rule`/`rate`; true when the bucket was
  // not paced before (its state must begin). Called with mu_ held.
  bool Learn(BucketRule& rule, BucketRate& rate, double configured, const std::optional<int64_t>& limit,
             const std::optional<int64_t>& remaining, const std::optional<double>& reset);
  void WidenWindow(BucketRule& rule, BucketRate& rate, double seconds);
  Status AcquireSlot(std::optional<TimePoint> deadline, const CancellationToken& cancel);
  void ReleaseSlot();
  void Refund(double requests, double tokens);

  Clock& clock_;
  const RateLimiterOptions options_;
  const std::shared_ptr<PacingState> state_;
  mutable std::mutex mu_;
  std::condition_variable slot_freed_;
  BucketRule requests_rule_, tokens_rule_;
  PaceRates rates_;  // from the rules: configured, or learned from headers
  int in_flight_ = 0;
};

}  // namespace reagent
