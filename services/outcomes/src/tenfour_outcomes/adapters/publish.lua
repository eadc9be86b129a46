-- Store newly published months if nobody published since we read; then forget what is no longer
-- needed: the months' feedback working data (credentials, used digests, totals), the event stamps
-- of their sessions, and issued markers once their year is out.
-- KEYS[1] publication hash, KEYS[2] issued markers, KEYS[3] stamps, KEYS[4..] feedback keys to delete
-- ARGV[1] expected last month ('' = none yet), ARGV[2] new last month,
-- ARGV[3] n: months whose issued markers go, ARGV[4 .. 3+n] their labels,
-- ARGV[4+n] s: stamps to drop, then s appointment pseudonyms, then month label, release pairs
-- Returns 1 stored, 0 someone else published first.
local last = redis.call('HGET', KEYS[1], '_last') or ''
if last ~= ARGV[1] then
  return 0
end
local n = tonumber(ARGV[3])
for i = 4, 3 + n do
  redis.call('ZREMRANGEBYLEX', KEYS[2], '[' .. ARGV[i] .. '|', '(' .. ARGV[i] .. '}')
end
local s = tonumber(ARGV[4 + n])
for i = 5 + n, 4 + n + s do
  redis.call('HDEL', KEYS[3], ARGV[i])
end
for i = 5 + n + s, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], '_last', ARGV[2])
for i = 4, #KEYS do
  redis.call('DEL', KEYS[i])
end
return 1
