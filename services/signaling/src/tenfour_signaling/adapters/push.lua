-- Shared by commit.lua and relay.lua (prepended): per-recipient sequence numbers and the
-- resume buffer. Redis's own clock decides what is older than the window, so instances with
-- skewed clocks agree.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Stamp the next seq for `handle`, keep the signal (bytes without seq) for the resume window.
local function push(seqs_key, buf_key, handle, data, expire_at, window_ms, max_held, now)
  local seq = redis.call('HINCRBY', seqs_key, handle, 1)
  redis.call('XADD', buf_key, 'MAXLEN', max_held, '*', 's', seq, 'd', data)
  redis.call('XTRIM', buf_key, 'MINID', now - window_ms)
  redis.call('PEXPIREAT', buf_key, expire_at)
  return seq
end
