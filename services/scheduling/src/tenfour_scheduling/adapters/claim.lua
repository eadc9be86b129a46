-- Phase 1 of a booking, in the officer's hash slot: the idempotency record (Stripe semantics)
-- and a claim on the officer's calendar, after re-checking the officer's side atomically.
-- KEYS: 1 idempotency record, 2 officer calendar, 3 officer spans, 4 officer roster,
--       5 officer state, 6 the officer's own provider calendar (peer supporters)
--       last: the calendar owner's stamp (calendar_prelude touch)
-- ARGV: 1 fingerprint ('' = no idempotency), 2 claim member id, 3 appointment id,
--       4 start ms, 5 end ms, 6 probe lo, 7 probe hi (the session and its buffers),
--       8 officer-local day start, 9 day end, 10 sessions allowed that day,
--       11 roster version seen, 12 claim ttl ms, 13 id to ignore (the appointment being moved),
--       14 idempotency ttl s, 15 provider id, 16 longest entry ms
if ARGV[1] ~= '' then
  local idem = redis.call('HMGET', KEYS[1], 'fp', 'appointment_id', 'state', 'result')
  if idem[1] then
    if idem[1] ~= ARGV[1] then return {'mismatch'} end
    return {'replay', idem[3], idem[2], idem[4] or ''}
  end
end
if redis.call('HGET', KEYS[5], 'deactivated') then return {'deactivated'} end
local roster = redis.call('HGET', KEYS[4], 'version') or '0'
if roster ~= ARGV[11] then return {'stale_roster'} end
local now = now_ms()
local lo, hi, margin = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[16])
local clash = first_clash(KEYS[2], lo, hi, margin, ARGV[13], '')
if clash then return {'busy', clash[1], clash[2], tostring(clash[3]), clash[4], tostring(now)} end
if first_clash(KEYS[6], lo, hi, margin, '', '') then return {'busy_as_provider'} end
if count_starts(KEYS[2], ARGV[8], ARGV[9], ARGV[13]) >= tonumber(ARGV[10]) then
  return {'day_limit'}
end
local deadline = now + tonumber(ARGV[12])
put_entry(KEYS[2], KEYS[3], ARGV[2], ARGV[4], ARGV[2] .. '|' .. ARGV[5] .. '|C|' .. deadline .. '|' .. ARGV[15])
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[1], 'fp', ARGV[1], 'appointment_id', ARGV[3], 'state', 'pending', 'claim', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[14])
end
return {'ok', tostring(deadline)}
