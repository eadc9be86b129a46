-- A group session's seats change (an officer takes or leaves a seat), in the provider's hash
-- slot: compare-and-set on the appointment's version (the new bytes, with officer_ids = the
-- seats, were computed from exactly that version), refused past the officer's claim deadline,
-- with its event. The group's entry on the provider's calendar stays as it is.
-- KEYS: 1 appointment, 2 outbox
-- ARGV: 1 version expected, 2 new version, 3 status, 4 appointment bytes,
--       5 claim deadline ms (0: none), 6-8 outbox entry (id, subject, data)
local deadline = tonumber(ARGV[5])
if deadline > 0 and now_ms() >= deadline then return {'expired'} end
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return {'stale'} end
redis.call('HSET', KEYS[1], 'data', ARGV[4], 'status', ARGV[3], 'version', ARGV[2])
outbox_add(KEYS[2], ARGV[6], ARGV[7], ARGV[8])
return {'ok'}
