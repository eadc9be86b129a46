-- Use a feedback credential once: delete its digest and add the answers to the month's totals.
-- KEYS[1] publication hash, KEYS[2] credential digests, KEYS[3] used digests, KEYS[4] totals
-- ARGV[1] month label, ARGV[2] digest, ARGV[3] time to live of the month's keys (ms),
-- ARGV[4..] field, increment pairs
-- Returns 1 stored, 0 unknown, 2 already used, 3 month published.
local last = redis.call('HGET', KEYS[1], '_last')
if last and last >= ARGV[1] then
  return 3
end
if redis.call('ZREM', KEYS[2], ARGV[2]) == 1 then
  for i = 4, #ARGV, 2 do
    redis.call('HINCRBY', KEYS[4], ARGV[i], ARGV[i + 1])
  end
  redis.call('ZADD', KEYS[3], 0, ARGV[2])
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
  return 1
end
if redis.call('ZSCORE', KEYS[3], ARGV[2]) then
  return 2
end
return 0
