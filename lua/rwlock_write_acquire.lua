-- Acquires the write lock of a read-write lock, or tells the caller how long
-- to wait; a waiting writer may record an intent that holds new readers back.
--
-- KEYS[1]  holder hash    <prefix>lock:{name}                 token, fence, host, pid, label,
--                                                             kind, owner, acquired_at (server ms), ttl
-- KEYS[2]  state hash     <prefix>lock:{name}:state           fence (counter)
-- KEYS[3]  readers zset   <prefix>lock:{name}:readers         token -> lease expiry (server ms)
-- KEYS[4]  owners hash    <prefix>lock:{name}:readers:owners
-- KEYS[5]  intents zset   <prefix>lock:{name}:intents         waiting writer token -> intent expiry
-- ARGV[1]  token (128-bit random, hex)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  owner host    ARGV[4] owner pid    ARGV[5] owner label    ARGV[6] kind
-- ARGV[7]  intent ttl in milliseconds; 0 = no writer preference (record no intent)
-- ARGV[8]  owner id (host/pid/thread: who waits for whom, for deadlock detection)
-- returns  {1, fence}   acquired, or already held with this token
--          {0, pttl}    a writer / exclusive holder keeps it pttl more ms, or the last
--                       reader lease ends in pttl ms; with an intent, pttl is at most
--                       a third of the intent's ttl, so the caller comes back and
--                       refreshes the intent before it lapses
--
-- The writer lives in the holder hash, exactly like an exclusive lock, so the
-- two exclude each other and the registry shows it.
--! include lock_durations
--! include server_time
local refused = bad_durations({{ARGV[2], 'ttl'}, {ARGV[7], 'intent ttl', true}})
if refused then return refused end
local holder = redis.call('HGET', KEYS[1], 'token')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('ZREM', KEYS[5], ARGV[1])
  return {1, tonumber(redis.call('HGET', KEYS[1], 'fence'))}
end

local now = server_ms()
local intent_ttl = tonumber(ARGV[7])

-- Refused: leave an intent (if asked to) and say when to come back.
local function refuse(pttl)
  if intent_ttl <= 0 then
    return {0, pttl}
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  redis.call('ZADD', KEYS[5], now + intent_ttl, ARGV[1])
  local last = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[5], last[2])
  local refresh = math.floor(intent_ttl / 3)
  if pttl < 0 or pttl > refresh then
    pttl = refresh
  end
  return {0, pttl}
end

if holder then
  return refuse(redis.call('PTTL', KEYS[1]))
end
local last = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
if #last > 0 then
  local ends = tonumber(last[2])
  if ends > now then
    return refuse(ends - now)
  end
  -- The latest lease has ended, so every lease has: the readers are gone.
  redis.call('DEL', KEYS[3], KEYS[4])
end

local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'fence', fence, 'host', ARGV[3], 'pid', ARGV[4],
           'label', ARGV[5], 'kind', ARGV[6], 'owner', ARGV[8], 'acquired_at', now, 'ttl', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZREM', KEYS[5], ARGV[1])
return {1, fence}
