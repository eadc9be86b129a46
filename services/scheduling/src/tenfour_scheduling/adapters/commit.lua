-- Phase 2, in the provider's hash slot: THE booking step. Re-checks the provider's side
-- against current state and writes the appointment, both calendar entries of the provider,
-- and its event into the outbox, all or nothing.
-- KEYS: 1 appointment, 2 provider calendar, 3 provider spans, 4 provider's appointment index,
--       5 provider rules (read model), 6 provider profile (read model), 7 provider's own roster
--       (peer supporters), 8 outbox, 9 the provider's own calendar as an officer (peers)
--       last: the calendar owner's stamp (calendar_prelude touch)
-- ARGV: 1 mode (book | move), 2 appointment id, 3 version expected (move), 4 rules version seen,
--       5 profile version seen, 6 roster version seen, 7 start ms, 8 end ms, 9 probe lo,
--       10 probe hi, 11 provider-local day start, 12 day end, 13 day cap (0 none),
--       14 ISO week start, 15 week end, 16 week cap (0 none), 17 claim deadline ms,
--       18 appointment bytes, 19 status, 20 new version, 21 longest entry ms,
--       22-24 outbox entry (id, subject, data)
if now_ms() >= tonumber(ARGV[17]) then return {'expired'} end
if ARGV[1] == 'book' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
elseif redis.call('HGET', KEYS[1], 'version') ~= ARGV[3] then
  return {'stale_appointment'}
end
if (redis.call('HGET', KEYS[5], 'version') or '0') ~= ARGV[4] then return {'stale_rules'} end
local profile = redis.call('HMGET', KEYS[6], 'version', 'deactivated')
if (profile[1] or '0') ~= ARGV[5] then return {'stale_profile'} end
if profile[2] then return {'deactivated'} end
if (redis.call('HGET', KEYS[7], 'version') or '0') ~= ARGV[6] then return {'stale_roster'} end
local lo, hi, margin = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[21])
if first_clash(KEYS[2], lo, hi, margin, ARGV[2], '') then return {'busy'} end
if first_clash(KEYS[9], lo, hi, margin, '', '') then return {'busy_as_officer'} end
local day_cap, week_cap = tonumber(ARGV[13]), tonumber(ARGV[16])
if day_cap > 0 and count_starts(KEYS[2], ARGV[11], ARGV[12], ARGV[2]) >= day_cap then
  return {'day_cap'}
end
if week_cap > 0 and count_starts(KEYS[2], ARGV[14], ARGV[15], ARGV[2]) >= week_cap then
  return {'week_cap'}
end
put_entry(KEYS[2], KEYS[3], ARGV[2], ARGV[7], ARGV[2] .. '|' .. ARGV[8] .. '|B|0|')
redis.call('ZADD', KEYS[4], ARGV[7], ARGV[2])
redis.call('HSET', KEYS[1], 'data', ARGV[18], 'status', ARGV[19], 'version', ARGV[20],
  'start', ARGV[7], 'end', ARGV[8])
outbox_add(KEYS[8], ARGV[22], ARGV[23], ARGV[24])
return {'ok'}
