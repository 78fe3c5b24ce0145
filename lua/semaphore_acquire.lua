-- Takes one permit of a counting semaphore, or tells the caller when the
-- first lease ends.
--
-- KEYS[1]  permits zset   <prefix>lock:{name}:permits          token -> lease expiry (server ms)
-- KEYS[2]  owners hash    <prefix>lock:{name}:permits:owners   token -> JSON {host, pid, label, owner,
--                                                              fence, acquired_at, ttl}
-- KEYS[3]  state hash     <prefix>lock:{name}:state            fence (counter), permits (N while
--                                                              any lease is live)
-- ARGV[1]  token (128-bit random, hex)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  permits N (> 0)
-- ARGV[4]  owner host    ARGV[5] owner pid    ARGV[6] owner label    ARGV[7] owner id
-- returns  {1, fence}   acquired, or already held with this token (a retry after a
--                       lost reply is answered, not refused)
--          {0, pttl}    all N permits are taken; the earliest lease ends in pttl ms
--          error "MISUSE ..." when live permits were granted under another N
--
-- N is stored while permits are held and every caller must send the same:
-- with two counts in use "never more than N" has no meaning. Once the last
-- lease has ended the next caller's N replaces it, so a deployment can change
-- N without an operator deleting keys.
--! include lock_durations
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then
  return refused
end
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local ttl = tonumber(ARGV[2])
local permits = tonumber(ARGV[3])
local live_from = '(' .. string.format('%d', now)

-- Expired leases go here, at most 100 per call so the script stays short;
-- counts below only look at live scores, so unpruned ones never count.
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 100)
if #dead > 0 then
  redis.call('ZREM', KEYS[1], unpack(dead))
  redis.call('HDEL', KEYS[2], unpack(dead))
end

-- Both lease keys expire with the latest lease.
local function settle()
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #last > 0 then
    redis.call('PEXPIREAT', KEYS[1], last[2])
    redis.call('PEXPIREAT', KEYS[2], last[2])
  end
end

local mine = redis.call('HGET', KEYS[2], ARGV[1])
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if mine and expiry and tonumber(expiry) > now then
  local owner = cjson.decode(mine)
  owner.ttl = ARGV[2]
  redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
  redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(owner))
  settle()
  return {1, tonumber(owner.fence)}
end

local live = redis.call('ZCOUNT', KEYS[1], live_from, '+inf')
local stored = tonumber(redis.call('HGET', KEYS[3], 'permits'))
if stored and stored ~= permits and live > 0 then
  return redis.error_reply(string.format(
    'MISUSE semaphore holds %d of %d permits; this handle asks for %d permits ' ..
    '(every user of one name must agree on the count)', live, stored, permits))
end
if live >= permits then
  local first = redis.call('ZRANGEBYSCORE', KEYS[1], live_from, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {0, tonumber(first[2]) - now}
end

if stored ~= permits then
  redis.call('HSET', KEYS[3], 'permits', permits)
end
local fence = redis.call('HINCRBY', KEYS[3], 'fence', 1)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], cjson.encode({
  host = ARGV[4], pid = ARGV[5], label = ARGV[6], owner = ARGV[7], fence = tostring(fence),
  acquired_at = string.format('%d', now), ttl = ARGV[2]}))
settle()
return {1, fence}
