-- Returns a permit if the caller's lease is still live, and wakes the waiters.
--
-- KEYS[1]  permits zset    <prefix>lock:{name}:permits            token -> lease expiry (server ms)
-- KEYS[2]  owners hash     <prefix>lock:{name}:permits:owners     token -> JSON owner details
-- KEYS[3]  released zset   <prefix>lock:{name}:permits:released   token -> release time;
--                                                                 the last 64, for a minute
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1   released (also when this token was released before: a retry after
--              a lost reply gets the same answer)
--          0   our lease expired and other permits are held
--         -1   our lease expired and no permit is held
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local live_from = '(' .. string.format('%d', now)

local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expiry then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #last > 0 then
    redis.call('PEXPIREAT', KEYS[1], last[2])
    redis.call('PEXPIREAT', KEYS[2], last[2])
  end
  if tonumber(expiry) > now then
    redis.call('ZADD', KEYS[3], now, ARGV[1])
    redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -65)
    redis.call('PEXPIRE', KEYS[3], 60000)
    -- One permit is free: every waiter wakes and one of them takes it.
    redis.call('PUBLISH', ARGV[2], 'released')
    return 1
  end
end
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return 1
end
if redis.call('ZCOUNT', KEYS[1], live_from, '+inf') > 0 then
  return 0
end
return -1
