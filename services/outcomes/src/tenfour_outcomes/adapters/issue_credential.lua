-- One feedback credential per officer and session, while the session's month is unpublished.
-- KEYS[1] publication hash, KEYS[2] issued markers (zset), KEYS[3] credential digests of the month
-- ARGV[1] month label, ARGV[2] marker "<month>|<officer>|<appointment>", ARGV[3] digest,
-- ARGV[4] time to live of the month's credentials (ms): until the month is published, so every
-- credential of the month expires at the same instant
-- Returns 1 issued, 0 already issued, 3 month published.
-- Sorted sets with every score 0 order members by their bytes: neither the small (listpack)
-- encoding nor a dump shows the order in which credentials were issued.
local last = redis.call('HGET', KEYS[1], '_last')
if last and last >= ARGV[1] then
  return 3
end
if redis.call('ZSCORE', KEYS[2], ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[2], 0, ARGV[2])
redis.call('ZADD', KEYS[3], 0, ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return 1
