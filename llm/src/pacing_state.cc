#include "reagent/llm/pacing_state.h"

#include <algorithm>
#include <mutex>

namespace reagent {
namespace {

// Seconds to a Duration, rounded up: a wait cut short by rounding would find the bucket a
// hair short of the tokens it waited for.
Duration CeilSeconds(double s) { return std::chrono::ceil<Duration>(std::chrono::duration<double>(s)); }

// The buckets' arithmetic in this process, under one mutex, on the injected clock.
class LocalPacingState final : public PacingState {
 public:
  explicit LocalPacingState(Clock& clock) : clock_(clock) {}

  void Begin(PaceBucket bucket, const BucketRate& rate) override {
    std::lock_guard lock(mu_);
    Bucket& b = at(bucket);
    if (b.begun) return;
    b.begun = true;
    b.level = rate.capacity;
    b.updated = clock_.Now();
  }

  Result<PaceReservation> Reserve(const PaceRates& rates, double requests, double tokens,
                                  Duration max_wait) override {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_.Now();
    requests_.Refill(rates.requests, now);
    tokens_.Refill(rates.tokens, now);
    PaceReservation r;
    r.wait = std::max(requests_.Wait(rates.requests, requests, now), tokens_.Wait(rates.tokens, tokens, now));
    if (r.wait > max_wait) return r;
    r.reserved = true;
    if (rates.requests.per_second > 0) requests_.level -= requests;
    if (rates.tokens.per_second > 0) tokens_.level -= tokens;
    return r;
  }

  void Give(const PaceRates& rates, double requests, double tokens) override {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_.Now();
    requests_.Refill(rates.requests, now);
    tokens_.Refill(rates.tokens, now);
    requests_.Add(rates.requests, requests);
    tokens_.Add(rates.tokens, tokens);
  }

  void Observe(PaceBucket bucket, const BucketRate& rate, std::optional<double> remaining, Duration pause) override {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_.Now();
    Bucket& b = at(bucket);
    if (remaining && rate.per_second > 0) {
      b.Refill(rate, now);
      b.level = std::min(b.level, *remaining);
    }
    if (pause > Duration::zero()) b.paused_until = std::max(b.paused_until, now + pause);
  }

  Result<PaceLevels> Levels(const PaceRates& rates) override {
    std::lock_guard lock(mu_);
    const TimePoint now = clock_.Now();
    requests_.Refill(rates.requests, now);
    tokens_.Refill(rates.tokens, now);
    return PaceLevels{.requests = requests_.level, .tokens = tokens_.level};
  }

 private:
  struct Bucket {
    bool begun = false;
    double level = 0;  // may go negative: reservations queued ahead
    TimePoint updated{};
    TimePoint paused_until{};

    void Refill(const BucketRate& rate, TimePoint now) {
      if (rate.per_second <= 0 || now <= updated) return;
      level = std::min(rate.capacity, level + rate.per_second * ToSeconds(now - updated));
      updated = now;
    }
    void Add(const BucketRate& rate, double amount) {
      if (rate.per_second > 0) level = std::min(rate.capacity, level + amount);
    }
    Duration Wait(const BucketRate& rate, double amount, TimePoint now) const {
      Duration wait = std::max(Duration::zero(), paused_until - now);
      if (rate.per_second <= 0) return wait;
      // A call larger than the whole bucket goes when the bucket is full (and leaves it in debt).
      const double need = std::min(amount, rate.capacity);
      if (level >= need) return wait;
      return std::max(wait, CeilSeconds((need - level) / rate.per_second));
    }
  };

  Bucket& at(PaceBucket b) { return b == PaceBucket::kRequests ? requests_ : tokens_; }

  Clock& clock_;
  std::mutex mu_;
  Bucket requests_;
  Bucket tokens_;
};

}  // namespace

std::shared_ptr<PacingState> MakeLocalPacingState(Clock& clock) { return std::make_shared<LocalPacingState>(clock); }

}  // namespace reagent
