// A breaker's state machine in one Redis hash, "<prefix>:breaker:{<name>}": st (closed,
// open, half_open), cf (consecutive failures), win (the recent outcomes, '1' = failure),
// wf (failures in win), oa (opened at), ta/ts (trials admitted/succeeded), hs (half-open
// since); times in µs of Redis TIME. The rules are circuit_breaker.h's; the texts
// breaker_state.h's.
#include <fmt/format.h>

#include "redis_keys.h"
#include "reagent/redis/redis_shared_state.h"

namespace reagent {
namespace {

using namespace redis_internal;

constexpr const char* kPrelude = R"lua(
local K = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local v = redis.call('HMGET', K, 'st', 'cf', 'win', 'wf', 'oa', 'ta', 'ts', 'hs')
local s = {st = v[1] or 'closed', cf = tonumber(v[2]) or 0, win = v[3] or '', wf = tonumber(v[4]) or 0,
           oa = tonumber(v[5]) or 0, ta = tonumber(v[6]) or 0, ts = tonumber(v[7]) or 0, hs = tonumber(v[8]) or 0}
local function move_to(state)
  s.st, s.cf, s.win, s.wf, s.ta, s.ts = state, 0, '', 0, 0, 0
  if state == 'open' then s.oa = now end
  if state == 'half_open' then s.hs = now end
end
local function save()
  redis.call('HSET', K, 'st', s.st, 'cf', s.cf, 'win', s.win, 'wf', s.wf, 'oa', string.format('%.0f', s.oa),
             'ta', s.ta, 'ts', s.ts, 'hs', string.format('%.0f', s.hs))
  redis.call('PEXPIRE', K, 86400000)  -- a breaker untouched for a day starts closed again
end
)lua";

const RedisScript& AllowScript() {
  // ARGV: open_for µs, half-open trials → {allowed, refusal ('' | 'open' | 'trials'), retry µs, moved ('' | 'cooled')}
  static const RedisScript script(std::string(kPrelude) + R"lua(
local open_for, trials = tonumber(ARGV[1]), tonumber(ARGV[2])
local moved = ''
if s.st == 'open' then
  local since = now - s.oa
  if since < open_for then return {0, 'open', string.format('%.0f', open_for - since), ''} end
  move_to('half_open')
  moved = 'cooled'
end
if s.st == 'half_open' then
  if s.ta >= trials and now - s.hs >= open_for then
    -- Trials admitted a whole cool-down ago never reported (their replica died): new round.
    s.ta, s.hs = 0, now
  end
  if s.ta >= trials then
    if moved ~= '' then save() end
    return {0, 'trials', '0', moved}
  end
  s.ta = s.ta + 1
  save()
  return {1, '', '0', moved}
end
return {1, '', '0', ''}
)lua");
  return script;
}

const RedisScript& RecordScript() {
  // ARGV: outcome ('s', 'f', 'i'), threshold, failure rate, window calls, min calls, trials
  // → {} | {'consecutive', n} | {'window', failed, calls} | {'trial_failed'} | {'trials_succeeded'}
  static const RedisScript script(std::string(kPrelude) + R"lua(
local outcome, threshold, rate = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local window, min_calls, trials = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
if outcome == 'i' then
  if s.st == 'half_open' and s.ta > 0 then s.ta = s.ta - 1; save() end
  return {}
end
local failed = outcome == 'f'
if s.st == 'closed' then
  s.cf = failed and s.cf + 1 or 0
  s.win = s.win .. (failed and '1' or '0')
  if failed then s.wf = s.wf + 1 end
  if #s.win > window then
    if string.sub(s.win, 1, 1) == '1' then s.wf = s.wf - 1 end
    s.win = string.sub(s.win, 2)
  end
  local calls, cf, wf = #s.win, s.cf, s.wf
  if cf >= threshold then move_to('open'); save(); return {'consecutive', cf} end
  if calls >= min_calls and wf >= rate * calls then move_to('open'); save(); return {'window', wf, calls} end
  save()
elseif s.st == 'half_open' then
  if failed then move_to('open'); save(); return {'trial_failed'} end
  s.ts = s.ts + 1
  if s.ts >= trials then move_to('closed'); save(); return {'trials_succeeded'} end
  save()
end
return {}
)lua");
  return script;
}

const RedisScript& LoadStateScript() {
  static const RedisScript script(std::string(kPrelude) + "return s.st\n");
  return script;
}

std::string Micros(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

class RedisBreakerState final : public BreakerStateStore {
 public:
  RedisBreakerState(std::shared_ptr<RedisClient> client, const std::string& name, const RedisSharedStateOptions& o)
      : client_(std::move(client)), key_(o.prefix + ":breaker:{" + EscapeKeyPart(name) + "}") {}

  Result<BreakerDecision> Allow(const BreakerOptions& options) override {
    REAGENT_ASSIGN_OR_RETURN(RedisReply r,
                             Run(AllowScript(), {Micros(options.open_for), std::to_string(options.half_open_trials)}));
    if (!r.is_array() || r.elements.size() != 4) return Unexpected();
    BreakerDecision d;
    d.allowed = r.elements[0].AsInt() == 1;
    if (r.elements[3].str == "cooled") {
      d.transition = BreakerTransition{.from = BreakerState::kOpen, .to = BreakerState::kHalfOpen,
                                       .reason = breaker_text::OpenedFor(options.open_for)};
    }
    if (r.elements[1].str == "open") {
      d.retry_in = std::chrono::microseconds(r.elements[2].AsInt());
      d.reason = breaker_text::StillOpen(d.retry_in);
    } else if (r.elements[1].str == "trials") {
      d.reason = breaker_text::TrialsInFlight(options.half_open_trials);
    }
    return d;
  }

  Result<std::optional<BreakerTransition>> Record(const BreakerOptions& options, CallOutcome outcome) override {
    const char* code = outcome == CallOutcome::kSuccess ? "s" : outcome == CallOutcome::kFailure ? "f" : "i";
    REAGENT_ASSIGN_OR_RETURN(
        RedisReply r, Run(RecordScript(), {code, std::to_string(options.failure_threshold),
                                           fmt::format("{:.17g}", options.failure_rate),
                                           std::to_string(options.window_calls), std::to_string(options.min_calls),
                                           std::to_string(options.half_open_trials)}));
    if (!r.is_array()) return Unexpected();
    if (r.elements.empty()) return std::optional<BreakerTransition>();
    const std::string& what = r.elements[0].str;
    auto n = [&](size_t i) { return i < r.elements.size() ? static_cast<int>(r.elements[i].AsInt()) : 0; };
    if (what == "consecutive") {
      return std::optional(BreakerTransition{BreakerState::kClosed, BreakerState::kOpen,
                                             breaker_text::ConsecutiveFailures(n(1))});
    }
    if (what == "window") {
      return std::optional(BreakerTransition{BreakerState::kClosed, BreakerState::kOpen,
                                             breaker_text::WindowFailures(n(1), n(2))});
    }
    if (what == "trial_failed") {
      return std::optional(BreakerTransition{BreakerState::kHalfOpen, BreakerState::kOpen, breaker_text::TrialFailed()});
    }
    if (what == "trials_succeeded") {
      return std::optional(BreakerTransition{BreakerState::kHalfOpen, BreakerState::kClosed,
                                             breaker_text::TrialsSucceeded(options.half_open_trials)});
    }
    return Unexpected();
  }

  Result<BreakerState> Load() override {
    REAGENT_ASSIGN_OR_RETURN(RedisReply r, Run(LoadStateScript(), {}));
    if (r.str == "open") return BreakerState::kOpen;
    if (r.str == "half_open") return BreakerState::kHalfOpen;
    return BreakerState::kClosed;
  }

 private:
  Result<RedisReply> Run(const RedisScript& script, const RedisClient::Args& args) {
    auto r = client_->Eval(script, {key_}, args);
    if (!r.ok()) return r.status().WithContext("shared breaker state");
    return r;
  }
  Status Unexpected() const { return Status::Internal("shared breaker state " + key_ + ": unexpected reply"); }

  const std::shared_ptr<RedisClient> client_;
  const std::string key_;
};

}  // namespace

std::shared_ptr<BreakerStateStore> MakeRedisBreakerState(std::shared_ptr<RedisClient> client, const std::string& name,
                                                         const RedisSharedStateOptions& options) {
  return std::make_shared<RedisBreakerState>(std::move(client), name, options);
}

}  // namespace reagent
