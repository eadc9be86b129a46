-- One refresh: rotate the session's token, or detect reuse and revoke the whole family.
-- The same transitions as tenfour_identity.domain.refresh.rotate, applied atomically: of N
-- concurrent uses of one token exactly one rotates; the others present a retired generation,
-- which is reuse, and revoke the family.
-- KEYS[1] family hash, KEYS[2] record of the presented token, KEYS[3] record for the new token
-- ARGV: now_ms, idle_ms, presented_hash, new_hash
-- Returns {outcome, user_id, generation}; outcome: unknown | revoked | expired | rotated | reused
local fam = redis.call('HMGET', KEYS[1], 'user_id', 'generation', 'current_hash', 'last_used_at',
  'expires_at', 'revoked_at')
local presented = redis.call('GET', KEYS[2])
if not fam[1] or not presented then
  return {'unknown', '', '0'}  -- never revoke on an unknown token: ids are not secrets
end
local user, generation = fam[1], tonumber(fam[2])
if fam[6] and fam[6] ~= '' then return {'revoked', user, fam[2]} end
local now = tonumber(ARGV[1])
local expires_at = tonumber(fam[5])
if now >= expires_at or now >= tonumber(fam[4]) + tonumber(ARGV[2]) then
  return {'expired', user, fam[2]}
end
if tonumber(presented) == generation and ARGV[3] == fam[3] then
  generation = generation + 1
  redis.call('HSET', KEYS[1], 'generation', generation, 'current_hash', ARGV[4], 'last_used_at', now)
  redis.call('SET', KEYS[3], generation, 'PX', expires_at - now)
  return {'rotated', user, tostring(generation)}
end
redis.call('HSET', KEYS[1], 'revoked_at', now, 'revoked_reason', 'reuse_detected')
return {'reused', user, fam[2]}
