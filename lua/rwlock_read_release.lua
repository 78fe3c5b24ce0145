-- Ends a read lease if the caller still holds it; wakes the waiters when the
-- last reader leaves (a writer waits for exactly that).
--
-- KEYS[1]  holder hash     <prefix>lock:{name}
-- KEYS[2]  readers zset    <prefix>lock:{name}:readers
-- KEYS[3]  owners hash     <prefix>lock:{name}:readers:owners
-- KEYS[4]  released zset   <prefix>lock:{name}:readers:released   token -> release time;
--                                                                 the last 64, for a minute
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1   released (also when this token was released before: a retry after
--              a lost reply gets the same answer)
--          0   our lease expired and others hold the lock (a writer or readers)
--         -1   our lease expired and nobody holds the lock
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local live_from = '(' .. string.format('%d', now)

local expiry = redis.call('ZSCORE', KEYS[2], ARGV[1])
if expiry then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  if #last > 0 then
    redis.call('PEXPIREAT', KEYS[2], last[2])
    redis.call('PEXPIREAT', KEYS[3], last[2])
  end
  if tonumber(expiry) > now then
    redis.call('ZADD', KEYS[4], now, ARGV[1])
    redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -65)
    redis.call('PEXPIRE', KEYS[4], 60000)
    if redis.call('ZCOUNT', KEYS[2], live_from, '+inf') == 0 then
      redis.call('PUBLISH', ARGV[2], 'released')
    end
    return 1
  end
end
if redis.call('ZSCORE', KEYS[4], ARGV[1]) then
  return 1
end
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('ZCOUNT', KEYS[2], live_from, '+inf') > 0 then
  return 0
end
return -1
