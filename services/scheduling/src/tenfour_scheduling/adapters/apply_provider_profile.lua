-- Keep the newest ProviderProfileUpdated of a provider (older or repeated versions change nothing).
-- KEYS: 1 profile hash, 2 the provider's stamp. ARGV: 1 version, 2 ProviderProfile bytes
local stored = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if tonumber(ARGV[1]) <= stored then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'data', ARGV[2])
bump_stamp(KEYS[2])
return 1
