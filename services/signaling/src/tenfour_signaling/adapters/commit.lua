-- A room transition: new room state (compare-and-set on its version), the signals it sends,
-- and its lifecycle events in the outbox, in one atomic step.
-- KEYS: 1 room hash, 2 seqs hash, 3 outbox stream, then n buffers, then m keys that must not exist
-- ARGV: 1 expected version (0: create), 2 room json, 3 expire-at ms, 4 window ms, 5 max held,
--       6 n, 7 m, 8 k events, 9 handle whose seq before this step is returned ('' none),
--       then n x (handle, event bytes), then k x (event id, subject, envelope bytes)
-- Returns {1, new version, reported seq, seq per delivery...}; {0, version} on a version
-- conflict; {-1, version} when a must-not-exist key exists.
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if version ~= tonumber(ARGV[1]) then return {0, version} end
local n, m, k = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
for i = 1, m do
  if redis.call('EXISTS', KEYS[3 + n + i]) == 1 then return {-1, version} end
end
local expire_at = tonumber(ARGV[3])
version = version + 1
redis.call('HSET', KEYS[1], 'version', version, 'data', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], expire_at)
local reported = 0
if ARGV[9] ~= '' then reported = tonumber(redis.call('HGET', KEYS[2], ARGV[9]) or '0') end
local out = {1, version, reported}
local now = now_ms()
for i = 1, n do
  out[#out + 1] = push(KEYS[2], KEYS[3 + i], ARGV[8 + 2 * i], ARGV[9 + 2 * i],
                       expire_at, tonumber(ARGV[4]), tonumber(ARGV[5]), now)
end
redis.call('PEXPIREAT', KEYS[2], expire_at)
local base = 10 + 2 * n
for j = 0, k - 1 do
  outbox_add(KEYS[3], ARGV[base + 3 * j], ARGV[base + 3 * j + 1], ARGV[base + 3 * j + 2])
end
return out
