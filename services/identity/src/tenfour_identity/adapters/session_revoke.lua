-- End a session; the first reason sticks (a later logout does not hide a detected reuse).
-- KEYS[1] family hash; ARGV: now_ms, reason. Returns 1 if this call revoked it.
local state = redis.call('HMGET', KEYS[1], 'user_id', 'revoked_at')
if not state[1] or (state[2] and state[2] ~= '') then return 0 end
redis.call('HSET', KEYS[1], 'revoked_at', ARGV[1], 'revoked_reason', ARGV[2])
return 1
