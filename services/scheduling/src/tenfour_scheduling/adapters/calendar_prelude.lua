-- Shared by the booking scripts. A calendar is a sorted set scored by start (ms since the
-- epoch) whose members read "id|end_ms|state|deadline_ms|owner": state B (booked) or C (a
-- claim that dies at deadline_ms unless confirmed), owner the other party's id. A spans hash
-- maps each id to its current member, so an entry can be found and replaced.
local function parse_member(m)
  local id, e, st, dl, who = string.match(m, '^(.-)|(%d+)|(%u)|(%d+)|(.*)$')
  return id, tonumber(e), st, tonumber(dl), who
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The first entry overlapping [lo, hi), other than the ids skip1 and skip2. Entries are at
-- most `margin` ms long, so only starts from lo - margin can reach into the range.
local function first_clash(cal, lo, hi, margin, skip1, skip2)
  local ms = redis.call('ZRANGEBYSCORE', cal, tostring(lo - margin), '(' .. tostring(hi), 'WITHSCORES')
  for i = 1, #ms, 2 do
    local id, e, st, dl, who = parse_member(ms[i])
    if id ~= skip1 and id ~= skip2 and tonumber(ms[i + 1]) < hi and e > lo then
      return {id, st, dl, who}
    end
  end
  return nil
end

-- How many entries start in [a, b), other than the id skip.
local function count_starts(cal, a, b, skip)
  local ms = redis.call('ZRANGEBYSCORE', cal, a, '(' .. b)
  local n = 0
  for i = 1, #ms do
    if parse_member(ms[i]) ~= skip then n = n + 1 end
  end
  return n
end

-- Every change of a calendar counts on its owner's stamp, which a script that changes a
-- calendar declares as its last key: searches keep what they read of a provider until it moves.
local function touch()
  local stamp = KEYS[#KEYS]
  assert(string.find(stamp, ':stamp:', 1, true), 'the last key must be the stamp')
  bump_stamp(stamp)
end

local function put_entry(cal, spans, id, start, member)
  local old = redis.call('HGET', spans, id)
  if old then redis.call('ZREM', cal, old) end
  redis.call('ZADD', cal, start, member)
  redis.call('HSET', spans, id, member)
  touch()
end

local function drop_entry(cal, spans, id, only_claims)
  local old = redis.call('HGET', spans, id)
  if not old then return end
  if only_claims and not string.find(old, '|C|', 1, true) then return end
  redis.call('ZREM', cal, old)
  redis.call('HDEL', spans, id)
  touch()
end
