-- Undo phase 1 after the provider side refused (or the claim died): drop the claim and a
-- still-pending idempotency record, so a retry with the same key runs again.
-- KEYS: 1 officer calendar, 2 officer spans, 3 idempotency record
--       last: the calendar owner's stamp (calendar_prelude touch)
-- ARGV: 1 claim member id, 2 appointment id
drop_entry(KEYS[1], KEYS[2], ARGV[1], true)
local idem = redis.call('HMGET', KEYS[3], 'appointment_id', 'state', 'claim')
if idem[1] == ARGV[2] and idem[2] == 'pending' and idem[3] == ARGV[1] then
  redis.call('DEL', KEYS[3])
end
return 1
