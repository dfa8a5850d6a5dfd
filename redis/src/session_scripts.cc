#include "session_scripts.h"

#include <string>

namespace reagent::redis_internal {
namespace {

// Shared by every script: key names (redis_keys.h) and the rules that several operations
// apply (lease liveness, visibility, reaping, purging, LRU eviction).
constexpr const char* kPrelude = R"lua(
local P = ARGV[1]
local LRU = P .. ':lru'
local TURN_USERS = P .. ':turnusers'
local LEDGER_USERS = P .. ':ledgerusers'
local FIELDS = {'user', 'created', 'access', 'steps', 'msgs', 'pt', 'ct', 'cached', 'cost', 'unpriced', 'meta'}

local function skey(sid, part) return P .. ':s:{' .. sid .. '}' .. part end
local function ukey(ue, part) return P .. ':u:{' .. ue .. '}' .. part end

-- Sets a key's expiry to ms from now unless it already lasts longer.
local function extend(key, ms)
  local left = redis.call('PTTL', key)
  if left == -1 or (left >= 0 and left < tonumber(ms)) then redis.call('PEXPIRE', key, ms) end
end

-- A lease holds while its cap (start + max_turn_duration) lies ahead and its owner keeps
-- renewing the heartbeat key (a dead replica stops, and Redis expires the key).
local function lease_live(sid, lid, cap, now)
  return cap > now and redis.call('EXISTS', skey(sid, ':l:' .. lid)) == 1
end

local function session_in_use(sid, now)
  local rows = redis.call('ZRANGE', skey(sid, ':t'), 0, -1, 'WITHSCORES')
  for i = 1, #rows, 2 do
    if lease_live(sid, rows[i], tonumber(rows[i + 1]), now) then return true end
  end
  return false
end

-- Drops the user's dead leases; returns the live ones and how many were dropped.
local function reap_user(ue, now)
  local ut = ukey(ue, ':t')
  local rows = redis.call('ZRANGE', ut, 0, -1, 'WITHSCORES')
  local live, reaped = 0, 0
  for i = 1, #rows, 2 do
    local sid, lid = string.match(rows[i], '^(%S+) (%S+)$')
    if sid and lease_live(sid, lid, tonumber(rows[i + 1]), now) then
      live = live + 1
    else
      redis.call('ZREM', ut, rows[i])
      if sid then
        redis.call('ZREM', skey(sid, ':t'), lid)
        redis.call('DEL', skey(sid, ':l:' .. lid))
      end
      reaped = reaped + 1
    end
  end
  if live == 0 then redis.call('SREM', TURN_USERS, ue) end
  return live, reaped
end

-- nil when the session may be used; otherwise why not.
local function check_visible(sid, now, ttl)
  local access = redis.call('HGET', skey(sid, ''), 'access')
  if not access then return 'NOTFOUND' end
  if now - tonumber(access) >= ttl and not session_in_use(sid, now) then return 'EXPIRED' end
  return nil
end

local function mark_access(sid, ue, NOW, expire_ms)
  redis.call('HSET', skey(sid, ''), 'access', NOW)
  redis.call('ZADD', LRU, NOW, sid)
  redis.call('ZADD', ukey(ue, ':s'), NOW, sid)
  for _, part in ipairs({'', ':m', ':st'}) do extend(skey(sid, part), expire_ms) end
  extend(ukey(ue, ':s'), expire_ms)
end

local function purge(sid, ue)
  redis.call('DEL', skey(sid, ''), skey(sid, ':m'), skey(sid, ':st'), skey(sid, ':t'))
  redis.call('ZREM', LRU, sid)
  if ue then redis.call('ZREM', ukey(ue, ':s'), sid) end
end

-- Evicts least recently used sessions without a running turn until at most `keep` remain.
-- Index entries of sessions Redis already expired are dropped without counting.
local function evict_beyond(keep, now)
  local excess = redis.call('ZCARD', LRU) - keep
  local evicted, start = 0, 0
  while excess > 0 do
    local batch = redis.call('ZRANGE', LRU, start, start + 99)
    if #batch == 0 then break end
    for _, sid in ipairs(batch) do
      if excess <= 0 then break end
      local ue = redis.call('HGET', skey(sid, ''), 'ue')
      if not ue then
        redis.call('ZREM', LRU, sid)
        excess = excess - 1
      elseif session_in_use(sid, now) then
        start = start + 1
      else
        purge(sid, ue)
        evicted = evicted + 1
        excess = excess - 1
      end
    end
  end
  return evicted
end
)lua";

std::string WithPrelude(const char* body) { return std::string(kPrelude) + body; }

}  // namespace

const RedisScript& CreateScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid, user, ue, NOW, meta, expire_ms = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local info = skey(sid, '')
if redis.call('EXISTS', info) == 1 then return {'COLLISION'} end
local evicted = evict_beyond(tonumber(ARGV[8]) - 1, tonumber(NOW))
redis.call('HSET', info, 'user', user, 'ue', ue, 'created', NOW, 'access', NOW, 'steps', 0, 'msgs', 0,
           'pt', 0, 'ct', 0, 'cached', 0, 'cost', 0, 'unpriced', 0, 'meta', meta)
mark_access(sid, ue, NOW, expire_ms)
return {'OK', evicted}
)lua"));
  return script;
}

const RedisScript& GetInfoScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid = ARGV[2]
local bad = check_visible(sid, tonumber(ARGV[3]), tonumber(ARGV[4]))
if bad then return {bad} end
return {'OK', redis.call('HMGET', skey(sid, ''), unpack(FIELDS))}
)lua"));
  return script;
}

const RedisScript& LoadScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid = ARGV[2]
local bad = check_visible(sid, tonumber(ARGV[3]), tonumber(ARGV[4]))
if bad then return {bad} end
return {'OK', redis.call('HMGET', skey(sid, ''), unpack(FIELDS)), redis.call('LRANGE', skey(sid, ':m'), 0, -1)}
)lua"));
  return script;
}

const RedisScript& AppendScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid, NOW, expire_ms, day, row = ARGV[2], ARGV[3], ARGV[5], ARGV[6], ARGV[7]
local pt, ct, cached, cost = ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local bad = check_visible(sid, tonumber(NOW), tonumber(ARGV[4]))
if bad then return {bad} end
local info = skey(sid, '')
local ue = redis.call('HGET', info, 'ue')
local first, n = 12, #ARGV - 11
local i = first
while i <= #ARGV do
  local last = math.min(i + 999, #ARGV)
  redis.call('RPUSH', skey(sid, ':m'), unpack(ARGV, i, last))
  i = last + 1
end
redis.call('RPUSH', skey(sid, ':st'), row)
redis.call('HINCRBY', info, 'steps', 1)
redis.call('HINCRBY', info, 'msgs', n)
redis.call('HINCRBY', info, 'pt', pt)
redis.call('HINCRBY', info, 'ct', ct)
redis.call('HINCRBY', info, 'cached', cached)
local ledger, f = ukey(ue, ':ledger'), day .. '|' .. sid .. '|'
redis.call('HINCRBY', ledger, f .. 'n', 1)
redis.call('HINCRBY', ledger, f .. 'pt', pt)
redis.call('HINCRBY', ledger, f .. 'ct', ct)
redis.call('HINCRBY', ledger, f .. 'cached', cached)
if cost == '' then
  redis.call('HINCRBY', info, 'unpriced', 1)
  redis.call('HINCRBY', ledger, f .. 'u', 1)
else
  redis.call('HINCRBYFLOAT', info, 'cost', cost)
  redis.call('HINCRBYFLOAT', ledger, f .. 'cost', cost)
end
redis.call('SADD', LEDGER_USERS, ue)
mark_access(sid, ue, NOW, expire_ms)
return {'OK'}
)lua"));
  return script;
}

const RedisScript& BeginTurnScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid, NOW = ARGV[2], ARGV[3]
local now = tonumber(NOW)
local max_turns, max_requests, window_start = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local lease, lease_ms, CAP, expire_ms, window_ms = ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local bad = check_visible(sid, now, tonumber(ARGV[4]))
if bad then return {bad} end
-- One turn per session: checked in the same script that adds the lease.
if session_in_use(sid, now) then return {'BUSY'} end
local info = skey(sid, '')
local user, ue = unpack(redis.call('HMGET', info, 'user', 'ue'))
local running = reap_user(ue, now)
if max_turns > 0 and running >= max_turns then return {'TURNS', user, running} end
local window = ukey(ue, ':r')
redis.call('ZREMRANGEBYSCORE', window, '-inf', window_start)
if max_requests > 0 and redis.call('ZCARD', window) >= max_requests then
  return {'WINDOW', user, redis.call('ZRANGE', window, 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', window, NOW, lease)
extend(window, window_ms)
redis.call('SET', skey(sid, ':l:' .. lease), '1', 'PX', lease_ms)
redis.call('ZADD', ukey(ue, ':t'), CAP, sid .. ' ' .. lease)
redis.call('ZADD', skey(sid, ':t'), CAP, lease)
redis.call('SADD', TURN_USERS, ue)
mark_access(sid, ue, NOW, expire_ms)
return {'OK', user}
)lua"));
  return script;
}

const RedisScript& EndTurnScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid, ue, lease = ARGV[2], ARGV[3], ARGV[4]
redis.call('DEL', skey(sid, ':l:' .. lease))
redis.call('ZREM', ukey(ue, ':t'), sid .. ' ' .. lease)
redis.call('ZREM', skey(sid, ':t'), lease)
if redis.call('ZCARD', ukey(ue, ':t')) == 0 then redis.call('SREM', TURN_USERS, ue) end
return {'OK'}
)lua"));
  return script;
}

const RedisScript& TouchScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid, NOW = ARGV[2], ARGV[3]
local bad = check_visible(sid, tonumber(NOW), tonumber(ARGV[4]))
if bad then return {bad} end
mark_access(sid, redis.call('HGET', skey(sid, ''), 'ue'), NOW, ARGV[5])
return {'OK'}
)lua"));
  return script;
}

const RedisScript& DeleteScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid = ARGV[2]
local ue = redis.call('HGET', skey(sid, ''), 'ue')
if not ue then return {'NOTFOUND'} end
if session_in_use(sid, tonumber(ARGV[3])) then return {'INUSE'} end
purge(sid, ue)
return {'OK'}
)lua"));
  return script;
}

const RedisScript& ListScript() {
  static const RedisScript script(WithPrelude(R"lua(
local ue, now, ttl, mode, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], tonumber(ARGV[6])
local index = ue == '' and LRU or ukey(ue, ':s')
local out, count, last_score, start = {}, 0, nil, 0
while true do
  local rows = redis.call('ZREVRANGE', index, start, start + 199, 'WITHSCORES')
  if #rows == 0 then break end
  for i = 1, #rows, 2 do
    local sid, score = rows[i], rows[i + 1]
    if limit > 0 and count >= limit and score ~= last_score then return out end
    local f = redis.call('HMGET', skey(sid, ''), unpack(FIELDS))
    if f[1] then
      local expired = now - tonumber(f[3]) >= ttl and not session_in_use(sid, now)
      if mode == 'all' or (mode == 'expired') == expired then
        out[#out + 1] = sid
        for j = 1, #FIELDS do out[#out + 1] = f[j] end
        count = count + 1
        last_score = score
      end
    end
  end
  start = start + 200
end
return out
)lua"));
  return script;
}

const RedisScript& StepsScript() {
  static const RedisScript script(WithPrelude(R"lua(
local sid = ARGV[2]
if redis.call('EXISTS', skey(sid, '')) == 0 then return {'NOTFOUND'} end
return {'OK', redis.call('LRANGE', skey(sid, ':st'), 0, -1)}
)lua"));
  return script;
}

const RedisScript& UsageScript() {
  static const RedisScript script(WithPrelude(R"lua(
local users = ARGV[2] ~= '' and {ARGV[2]} or redis.call('SMEMBERS', LEDGER_USERS)
local out = {}
for _, ue in ipairs(users) do
  out[#out + 1] = ue
  out[#out + 1] = redis.call('HGETALL', ukey(ue, ':ledger'))
end
return out
)lua"));
  return script;
}

const RedisScript& SweepScript() {
  static const RedisScript script(WithPrelude(R"lua(
local now, before, max_sessions = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local abandoned, expired = 0, 0
for _, ue in ipairs(redis.call('SMEMBERS', TURN_USERS)) do
  local _, reaped = reap_user(ue, now)
  abandoned = abandoned + reaped
end
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', LRU, '-inf', before)) do
  local ue = redis.call('HGET', skey(sid, ''), 'ue')
  if not ue then
    redis.call('ZREM', LRU, sid)  -- Redis expired it already
    expired = expired + 1
  elseif not session_in_use(sid, now) then
    purge(sid, ue)
    expired = expired + 1
  end
end
return {expired, evict_beyond(max_sessions, now), abandoned}
)lua"));
  return script;
}

const RedisScript& RunningTurnsScript() {
  static const RedisScript script(WithPrelude(R"lua(
local now = tonumber(ARGV[3])
local rows = redis.call('ZRANGE', ukey(ARGV[2], ':t'), 0, -1, 'WITHSCORES')
local live = 0
for i = 1, #rows, 2 do
  local sid, lid = string.match(rows[i], '^(%S+) (%S+)$')
  if sid and lease_live(sid, lid, tonumber(rows[i + 1]), now) then live = live + 1 end
end
return live
)lua"));
  return script;
}

}  // namespace reagent::redis_internal
