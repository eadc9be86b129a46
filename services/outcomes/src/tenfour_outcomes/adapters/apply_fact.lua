-- Keep the fact of the newest event about one appointment; older or repeated events change nothing.
-- KEYS[1] facts hash of the agency, KEYS[2] stamps hash of the agency
-- ARGV[1] appointment pseudonym, ARGV[2] stamp ("<ms>:<tiebreak>"), ARGV[3] encoded fact
local old = redis.call('HGET', KEYS[2], ARGV[1])
if old and old >= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
