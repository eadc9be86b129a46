-- One login attempt against one throttle counter, decided and recorded atomically.
-- The same arithmetic as tenfour_identity.domain.throttle (ThrottlePolicy.delay_for, decide,
-- record_failure): the attempt is counted as a failure up front, so N concurrent guesses can
-- never all slip through one check; a success is refunded afterwards (throttle_refund.lua).
-- An attempt refused because of the wait is counted too, and the wait restarts, longer.
-- KEYS[1] counter hash {count, last}
-- ARGV: now_ms, free_failures, base_ms, max_ms, factor, forget_ms
-- Returns {allowed (1/0), retry_after_ms, locked (1/0: the delay has reached its cap)}.
local now = tonumber(ARGV[1])
local free, base, cap = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local factor, forget = tonumber(ARGV[5]), tonumber(ARGV[6])

local function delay_for(failures)
  local excess = failures - free
  if excess <= 0 then return 0 end
  return math.min(base * factor ^ math.min(excess - 1, 64), cap)
end

local rec = redis.call('HMGET', KEYS[1], 'count', 'last')
local count = tonumber(rec[1]) or 0
local last = tonumber(rec[2]) or 0
if count > 0 and now - last >= forget then count = 0 end

local allowed = 1
if count > 0 and last + delay_for(count) - now > 0 then allowed = 0 end

-- Refused or not, the attempt counts: trying again during the wait makes the wait longer.
count = count + 1
redis.call('HSET', KEYS[1], 'count', count, 'last', now)
redis.call('PEXPIRE', KEYS[1], forget)
local locked = 0
if delay_for(count) >= cap then locked = 1 end
if allowed == 1 then return {1, 0, locked} end
return {0, math.ceil(delay_for(count)), locked}
