-- A status change of an appointment in the provider's hash slot (compare-and-set on its
-- version), with its event. Statuses that free the time leave the provider's calendar.
-- KEYS: 1 appointment, 2 provider calendar, 3 provider spans, 4 outbox
--       last: the calendar owner's stamp (calendar_prelude touch)
-- ARGV: 1 appointment id, 2 version expected, 3 new version, 4 status, 5 occupying (1/0),
--       6 appointment bytes, 7-9 outbox entry (id, subject, data)
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[2] then return {'stale'} end
redis.call('HSET', KEYS[1], 'data', ARGV[6], 'status', ARGV[4], 'version', ARGV[3])
if ARGV[5] == '0' then drop_entry(KEYS[2], KEYS[3], ARGV[1], false) end
outbox_add(KEYS[4], ARGV[7], ARGV[8], ARGV[9])
return {'ok'}
