-- Apply a ProviderRulesChanged event to the read model exactly once, ignoring stale versions.
-- KEYS[1] read model hash {provider}, KEYS[2] processed-event marker, KEYS[3] applied counter,
-- KEYS[4] the provider's stamp (counts every change a search reads)
-- ARGV[1] version, ARGV[2] RuleSet+busy bytes, ARGV[3] marker TTL seconds
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], '1', 'EX', tonumber(ARGV[3]))
redis.call('INCR', KEYS[3])
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if tonumber(ARGV[1]) <= current then
  return 1
end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'data', ARGV[2])
bump_stamp(KEYS[4])
return 2
