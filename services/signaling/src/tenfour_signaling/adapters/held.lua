-- A recipient's last seq and the signals still held for them (younger than the window).
-- KEYS: 1 seqs hash, 2 buffer; ARGV: 1 handle, 2 window ms
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return {last, redis.call('XRANGE', KEYS[2], now - tonumber(ARGV[2]), '+')}
