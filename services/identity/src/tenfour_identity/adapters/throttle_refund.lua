-- Take back the failure a successful attempt was charged with (throttle_attempt.lua).
-- KEYS[1] counter hash
if redis.call('HINCRBY', KEYS[1], 'count', -1) <= 0 then
  redis.call('DEL', KEYS[1])
end
return 0
