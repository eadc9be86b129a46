-- Accept a TOTP time step once: refuse it if this or a later step was already used, so a
-- code cannot be replayed, even by two logins racing with the same code (RFC 6238 §5.2).
-- KEYS[1] credentials hash; ARGV[1] step. Returns 1 if accepted.
local last = tonumber(redis.call('HGET', KEYS[1], 'totp_last_step') or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
redis.call('HSET', KEYS[1], 'totp_last_step', ARGV[1])
return 1
