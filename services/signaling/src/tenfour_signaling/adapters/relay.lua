-- One participant's signal to its recipients, if the room is still at the version the sender
-- was authorized against; a client retry with the same message id is accepted once.
-- KEYS: 1 room hash, 2 seqs hash, 3 sent-counter hash, 4 dedupe key, then n buffers
-- ARGV: 1 expected version, 2 sender handle, 3 dedupe ttl ms (0: none), 4 expire-at ms,
--       5 window ms, 6 max held, 7 n, then n x (handle, event bytes)
-- Returns {1, accepted seq, seq per delivery...}; {2, accepted seq} for a duplicate;
-- {0, version} on a version conflict.
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return {0, version} end
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  local seen = redis.call('GET', KEYS[4])
  if seen then return {2, tonumber(seen)} end
end
local expire_at = tonumber(ARGV[4])
local accepted = redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
redis.call('PEXPIREAT', KEYS[3], expire_at)
if ttl > 0 then redis.call('SET', KEYS[4], accepted, 'PX', ttl) end
local out = {1, accepted}
local now = now_ms()
for i = 1, tonumber(ARGV[7]) do
  out[#out + 1] = push(KEYS[2], KEYS[4 + i], ARGV[6 + 2 * i], ARGV[7 + 2 * i],
                       expire_at, tonumber(ARGV[5]), tonumber(ARGV[6]), now)
end
redis.call('PEXPIREAT', KEYS[2], expire_at)
return out
