-- Count a wrong TOTP code against a pending secret or setup ticket; drop it after too many.
-- KEYS[1] the hash (with a 'wrong' field); ARGV[1] how many wrong codes are allowed.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HINCRBY', KEYS[1], 'wrong', 1) >= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
end
return 1
