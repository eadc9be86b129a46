-- Redeem an enrolment code and create the officer's account, in one atomic step: the code's
-- use count can never pass its cap however many officers redeem at once, and the account,
-- its login name, the agency's redemption count, the user_registered event and the audit
-- entry are written together or not at all. The same refusals as domain/enrolment.refusal.
-- KEYS: 1 code, 2 login name, 3 user, 4 credentials, 5 agency code stats, 6 outbox, 7 audit
-- ARGV: 1 now_ms, 2 agency id the account was built for, 3 user id, 4 user json,
--       5 password hash, 6-8 event (id, subject, bytes), 9-12 audit (kind, user, agency, detail)
-- Returns {'ok'} | {'refused', unknown|revoked|expired|exhausted} | {'taken'}
local code = redis.call('HMGET', KEYS[1], 'agency_id', 'max_uses', 'uses', 'expires_at', 'revoked_at')
if not code[1] or code[1] ~= ARGV[2] then return {'refused', 'unknown'} end
if code[5] and code[5] ~= '' then return {'refused', 'revoked'} end
if tonumber(ARGV[1]) >= tonumber(code[4]) then return {'refused', 'expired'} end
if tonumber(code[3]) >= tonumber(code[2]) then return {'refused', 'exhausted'} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'taken'} end

redis.call('HINCRBY', KEYS[1], 'uses', 1)
redis.call('SET', KEYS[2], ARGV[3])
redis.call('SET', KEYS[3], ARGV[4])
redis.call('HSET', KEYS[4], 'password_hash', ARGV[5])
redis.call('HINCRBY', KEYS[5], 'redeemed', 1)
outbox_add(KEYS[6], ARGV[6], ARGV[7], ARGV[8])
audit_add(KEYS[7], ARGV[9], ARGV[10], ARGV[11], ARGV[12])
return {'ok'}
