-- Extends a permit's lease the caller still holds to a new time-to-live from now.
--
-- KEYS[1]  permits zset   <prefix>lock:{name}:permits          token -> lease expiry (server ms)
-- KEYS[2]  owners hash    <prefix>lock:{name}:permits:owners   token -> JSON owner details
-- ARGV[1]  token
-- ARGV[2]  ttl in milliseconds
-- returns  1 extended, 0 our lease expired and other permits are held, -1 our
--          lease expired and no permit is held
--! include lock_durations
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then
  return refused
end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local live_from = '(' .. string.format('%d', now)

local function settle()
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #last > 0 then
    redis.call('PEXPIREAT', KEYS[1], last[2])
    redis.call('PEXPIREAT', KEYS[2], last[2])
  end
end

local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if expiry and tonumber(expiry) > now then
  local owner = cjson.decode(redis.call('HGET', KEYS[2], ARGV[1]))
  owner.ttl = ARGV[2]
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(owner))
  settle()
  return 1
end
if expiry then
  -- Expired but not yet pruned: the permit is gone, whatever we say, and
  -- may already be counted by someone else's acquisition.
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], ARGV[1])
  settle()
end
if redis.call('ZCOUNT', KEYS[1], live_from, '+inf') > 0 then
  return 0
end
return -1
