// The pacing buckets in one Redis hash per provider limit, "<prefix>:pace:{<name>}":
// rl/ru/rp and tl/tu/tp hold each bucket's level, last refill and pause end (µs of Redis
// TIME). A bucket that has no fields yet is full, so Begin needs no write and a replica that
// starts never refills the others' bucket.
#include <fmt/format.h>

#include "outage_note.h"
#include "redis_keys.h"
#include "reagent/redis/redis_shared_state.h"

namespace reagent {
namespace {

using namespace redis_internal;
using Args = RedisClient::Args;

constexpr const char* kPrelude = R"lua(
local K = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local function load(b, rate, cap)
  local v = redis.call('HMGET', K, b .. 'l', b .. 'u', b .. 'p')
  local s = {level = tonumber(v[1]) or cap, updated = tonumber(v[2]) or now, paused = tonumber(v[3]) or 0}
  if rate > 0 and now > s.updated then
    s.level = math.min(cap, s.level + rate * (now - s.updated) / 1e6)
    s.updated = now
  end
  return s
end
local function save(b, s)
  redis.call('HSET', K, b .. 'l', string.format('%.17g', s.level), b .. 'u', string.format('%.0f', s.updated),
             b .. 'p', string.format('%.0f', s.paused))
end
-- Idle state goes away an hour after its last use (or its pause): a bucket without state is full.
local function keep(r, tk)
  local until_ms = math.max(0, math.max(r.paused, tk.paused) - now) / 1000
  redis.call('PEXPIRE', K, math.floor(until_ms + 3600000))
end
)lua";

const RedisScript& ReserveScript() {
  // ARGV: requests rate, capacity, tokens rate, capacity, requests, tokens, max wait µs (-1: none)
  static const RedisScript script(std::string(kPrelude) + R"lua(
local rr, rc, tr, tc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local requests, tokens, max_wait = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local r, tk = load('r', rr, rc), load('t', tr, tc)
local function wait(s, rate, cap, amount)
  local w = math.max(0, s.paused - now)
  if rate <= 0 then return w end
  local need = math.min(amount, cap)
  if s.level >= need then return w end
  return math.max(w, math.ceil((need - s.level) / rate * 1e6))
end
local w = math.max(wait(r, rr, rc, requests), wait(tk, tr, tc, tokens))
local ok = max_wait < 0 or w <= max_wait
if ok then
  if rr > 0 then r.level = r.level - requests end
  if tr > 0 then tk.level = tk.level - tokens end
end
save('r', r)
save('t', tk)
keep(r, tk)
return {ok and 1 or 0, string.format('%.0f', w)}
)lua");
  return script;
}

const RedisScript& GiveScript() {
  // ARGV: requests rate, capacity, tokens rate, capacity, requests, tokens
  static const RedisScript script(std::string(kPrelude) + R"lua(
local rr, rc, tr, tc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local r, tk = load('r', rr, rc), load('t', tr, tc)
if rr > 0 then r.level = math.min(rc, r.level + tonumber(ARGV[5])) end
if tr > 0 then tk.level = math.min(tc, tk.level + tonumber(ARGV[6])) end
save('r', r)
save('t', tk)
keep(r, tk)
return 1
)lua");
  return script;
}

const RedisScript& ObserveScript() {
  // ARGV: bucket ('r' or 't'), rate, capacity, remaining ('' = not known), pause µs
  static const RedisScript script(std::string(kPrelude) + R"lua(
local b, rate, cap, remaining, pause = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local s = load(b, rate, cap)
if remaining ~= '' and rate > 0 then s.level = math.min(s.level, tonumber(remaining)) end
if pause > 0 then s.paused = math.max(s.paused, now + pause) end
save(b, s)
keep(s, s)
return 1
)lua");
  return script;
}

const RedisScript& LevelsScript() {
  static const RedisScript script(std::string(kPrelude) + R"lua(
local r = load('r', tonumber(ARGV[1]), tonumber(ARGV[2]))
local tk = load('t', tonumber(ARGV[3]), tonumber(ARGV[4]))
return {string.format('%.17g', r.level), string.format('%.17g', tk.level)}
)lua");
  return script;
}

std::string Num(double v) { return fmt::format("{:.17g}", v); }

int64_t Micros(Duration d) { return std::chrono::duration_cast<std::chrono::microseconds>(d).count(); }

class RedisPacingState final : public PacingState {
 public:
  RedisPacingState(std::shared_ptr<RedisClient> client, const std::string& name, RedisSharedStateOptions options,
                   Clock& clock)
      : client_(std::move(client)), key_(options.prefix + ":pace:{" + EscapeKeyPart(name) + "}"),
        options_(std::move(options)), local_(MakeLocalPacingState(clock)),
        outage_("shared pacing " + key_ + " (" + client_->endpoint().Display() + ")") {}

  void Begin(PaceBucket bucket, const BucketRate& rate) override { local_->Begin(bucket, rate); }

  Result<PaceReservation> Reserve(const PaceRates& rates, double requests, double tokens, Duration max_wait) override {
    const std::string limit = max_wait == Duration::max() ? "-1" : std::to_string(std::max<int64_t>(0, Micros(max_wait)));
    auto r = Run(ReserveScript(), {Num(rates.requests.per_second), Num(rates.requests.capacity),
                                   Num(rates.tokens.per_second), Num(rates.tokens.capacity), Num(requests), Num(tokens),
                                   limit});
    if (!r.ok()) {
      if (!options_.fail_open) return r.status();
      return local_->Reserve(rates, requests, tokens, max_wait);
    }
    if (!r->is_array() || r->elements.size() != 2) {
      return Status::Internal("shared pacing state: unexpected reply from the reserve script");
    }
    return PaceReservation{.wait = std::chrono::microseconds(r->elements[1].AsInt()),
                           .reserved = r->elements[0].AsInt() == 1};
  }

  void Give(const PaceRates& rates, double requests, double tokens) override {
    auto r = Run(GiveScript(), {Num(rates.requests.per_second), Num(rates.requests.capacity),
                                Num(rates.tokens.per_second), Num(rates.tokens.capacity), Num(requests), Num(tokens)});
    if (!r.ok() && options_.fail_open) local_->Give(rates, requests, tokens);
  }

  void Observe(PaceBucket bucket, const BucketRate& rate, std::optional<double> remaining, Duration pause) override {
    auto r = Run(ObserveScript(), {bucket == PaceBucket::kRequests ? "r" : "t", Num(rate.per_second), Num(rate.capacity),
                                   remaining ? Num(*remaining) : std::string(), std::to_string(Micros(pause))});
    if (!r.ok() && options_.fail_open) local_->Observe(bucket, rate, remaining, pause);
  }

  Result<PaceLevels> Levels(const PaceRates& rates) override {
    auto r = Run(LevelsScript(), {Num(rates.requests.per_second), Num(rates.requests.capacity),
                                  Num(rates.tokens.per_second), Num(rates.tokens.capacity)});
    if (!r.ok()) return options_.fail_open ? local_->Levels(rates) : Result<PaceLevels>(r.status());
    if (!r->is_array() || r->elements.size() != 2) return Status::Internal("shared pacing state: unexpected reply");
    return PaceLevels{.requests = r->elements[0].AsDouble(), .tokens = r->elements[1].AsDouble()};
  }

 private:
  Result<RedisReply> Run(const RedisScript& script, const Args& args) {
    auto r = client_->Eval(script, {key_}, args);
    if (r.ok()) {
      outage_.Succeeded();
      return r;
    }
    Status s = r.status().WithContext("shared pacing state");
    if (options_.fail_open) {
      outage_.Failed(s);
    } else if (&script != &ReserveScript()) {
      // Reserve reports its failure to the caller; adjustments can only log theirs.
      Logger()->warn("{}", s.message());
    }
    return s;
  }

  const std::shared_ptr<RedisClient> client_;
  const std::string key_;
  const RedisSharedStateOptions options_;
  const std::shared_ptr<PacingState> local_;  // the fail-open fallback
  OutageNote outage_;
};

}  // namespace

std::shared_ptr<PacingState> MakeRedisPacingState(std::shared_ptr<RedisClient> client, const std::string& name,
                                                  const RedisSharedStateOptions& options, Clock& clock) {
  return std::make_shared<RedisPacingState>(std::move(client), name, options, clock);
}

}  // namespace reagent
