-- Mirror one appointment into an officer's calendar (phase 3 of a booking, and every later
-- change). Versions only move forward, so a late or repeated sync changes nothing.
-- KEYS: 1 officer calendar, 2 officer spans, 3 officer's appointment index,
--       4 versions seen, 5 officer state, 6 idempotency record
--       last: the calendar owner's stamp (calendar_prelude touch)
-- ARGV: 1 appointment id, 2 version, 3 start ms, 4 end ms, 5 occupying (1/0), 6 provider id,
--       7 claim member id to drop ('' none), 8 first result to keep under the idempotency key
local seen = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if tonumber(ARGV[2]) >= seen then
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
  if ARGV[5] == '1' then
    put_entry(KEYS[1], KEYS[2], ARGV[1], ARGV[3], ARGV[1] .. '|' .. ARGV[4] .. '|B|0|' .. ARGV[6])
    redis.call('HSET', KEYS[5], 'current_provider', ARGV[6])
  else
    drop_entry(KEYS[1], KEYS[2], ARGV[1], false)
  end
  redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
end
if ARGV[7] ~= '' and ARGV[7] ~= ARGV[1] then
  drop_entry(KEYS[1], KEYS[2], ARGV[7], true)
end
if ARGV[8] ~= '' and redis.call('HGET', KEYS[6], 'appointment_id') == ARGV[1] then
  redis.call('HSET', KEYS[6], 'state', 'done', 'result', ARGV[8])
end
return 1
