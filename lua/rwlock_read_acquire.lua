-- Acquires a read lease, or tells the caller how long it should wait.
--
-- KEYS[1]  holder hash    <prefix>lock:{name}                   the writer (or exclusive holder)
-- KEYS[2]  state hash     <prefix>lock:{name}:state             fence (counter)
-- KEYS[3]  readers zset   <prefix>lock:{name}:readers           token -> lease expiry (server ms)
-- KEYS[4]  owners hash    <prefix>lock:{name}:readers:owners    token -> JSON {host, pid, label,
--                                                               owner, fence, acquired_at, ttl}
-- KEYS[5]  intents zset   <prefix>lock:{name}:intents           waiting writer token -> intent expiry
-- ARGV[1]  token (128-bit random, hex)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  owner host    ARGV[4] owner pid    ARGV[5] owner label
-- ARGV[6]  owner id (host/pid/thread: who waits for whom, for deadlock detection)
-- returns  {1, fence}   acquired, or already held with this token (a retry after a
--                       lost reply is answered, not refused)
--          {0, pttl}    a writer holds the lock for pttl more ms, or a writer waits
--                       and readers stand aside for up to pttl ms (writer preference)
--
-- Each reader's lease ends on its own: the zset score is its expiry on the
-- server's clock, and expired members are dropped here (at most 100 per call,
-- so the script stays short). Both reader keys expire with the last lease, so
-- the owners hash never outlives the leases it describes.
--! include lock_durations
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then
  return refused
end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ttl = tonumber(ARGV[2])

local dead = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 100)
if #dead > 0 then
  redis.call('ZREM', KEYS[3], unpack(dead))
  redis.call('HDEL', KEYS[4], unpack(dead))
end

local function settle()
  local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
  if #last > 0 then
    redis.call('PEXPIREAT', KEYS[3], last[2])
    redis.call('PEXPIREAT', KEYS[4], last[2])
  end
end

local mine = redis.call('HGET', KEYS[4], ARGV[1])
if mine and redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  local owner = cjson.decode(mine)
  owner.ttl = ARGV[2]
  redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
  redis.call('HSET', KEYS[4], ARGV[1], cjson.encode(owner))
  settle()
  return {1, tonumber(owner.fence)}
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('PTTL', KEYS[1])}
end

redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
local intent = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
if #intent > 0 then
  return {0, tonumber(intent[2]) - now}
end

local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('ZADD', KEYS[3], now + ttl, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], cjson.encode({
  host = ARGV[3], pid = ARGV[4], label = ARGV[5], owner = ARGV[6], fence = tostring(fence),
  acquired_at = string.format('%d', now), ttl = ARGV[2]}))
settle()
return {1, fence}
