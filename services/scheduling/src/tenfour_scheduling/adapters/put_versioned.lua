-- Replace a versioned record (compare-and-set on its version) and stage its event.
-- KEYS: 1 record hash, 2 outbox, 3 (optional) a stamp counting the owner's changes
-- ARGV: 1 version expected, 2 data, 3-5 outbox entry (id, subject, data), 6.. extra field/value pairs
local stored = redis.call('HGET', KEYS[1], 'version') or '0'
if stored ~= ARGV[1] then return {'stale', stored} end
redis.call('HSET', KEYS[1], 'version', tonumber(stored) + 1, 'data', ARGV[2])
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
outbox_add(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
if KEYS[3] then bump_stamp(KEYS[3]) end
return {'ok'}
