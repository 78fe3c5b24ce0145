-- Acquires a fair (first come, first served) lock for the head of its wait
-- queue, or queues the caller and tells it when to come back.
--
-- KEYS[1]  holder hash      <prefix>lock:{name}                   token, fence, host, pid, label,
--                                                                 kind, owner, acquired_at, ttl
-- KEYS[2]  state hash       <prefix>lock:{name}:state             fence (counter), arrivals
--                                                                 (counter), released_at
-- KEYS[3]  queue zset       <prefix>lock:{name}:queue             token -> arrival number
-- KEYS[4]  deadlines zset   <prefix>lock:{name}:queue:deadlines   token -> entry expiry (server ms)
-- KEYS[5]  readers zset     <prefix>lock:{name}:readers           the read-write lock's reader
--                                                                 leases (token -> expiry, server ms)
-- ARGV[1]  token (128-bit random, hex; the same for a whole wait)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  owner host    ARGV[4] owner pid    ARGV[5] owner label    ARGV[6] kind
-- ARGV[7]  owner id (host/pid/thread, for deadlock detection)
-- ARGV[8]  queue entry timeout in milliseconds
-- returns  {1, fence, handoff_us}  acquired, or already held with this token;
--                                  handoff_us as in lock_acquire.lua
--          {0, pttl}               queued; pttl is at most a third of the entry
--                                  timeout, so a live waiter comes back and
--                                  refreshes its entry before it lapses
--
-- The holder lives in the same hash as an exclusive lock's, so the two
-- exclude each other, and the registry and deadlock detection see it; like a
-- writer it also waits for the readers of a read-write lock of the name. An
-- entry whose deadline passed belongs to a waiter that died (or stalled for
-- longer than the timeout): it is dropped, and a stalled waiter that comes
-- back joins again at the tail.
--! include lock_durations
--! include server_time
local refused = bad_durations({{ARGV[2], 'ttl'}, {ARGV[8], 'queue timeout'}})
if refused then return refused end
local holder = redis.call('HGET', KEYS[1], 'token')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, tonumber(redis.call('HGET', KEYS[1], 'fence'))}
end

local now_us = server_us()
local now = math.floor(now_us / 1000)
local timeout = tonumber(ARGV[8])
local refresh = math.max(1, math.floor(timeout / 3))

local dead = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now, 'LIMIT', 0, 100)
if #dead > 0 then
  redis.call('ZREM', KEYS[3], unpack(dead))
  redis.call('ZREM', KEYS[4], unpack(dead))
end

-- Both queue keys expire with the latest deadline, so a queue whose waiters
-- all died vanishes even if nobody comes to prune it.
local function settle()
  local last = redis.call('ZRANGE', KEYS[4], -1, -1, 'WITHSCORES')
  if #last > 0 then
    redis.call('PEXPIREAT', KEYS[3], last[2])
    redis.call('PEXPIREAT', KEYS[4], last[2])
  end
end

-- Busy: ms until the holder's or the latest reader's lease ends (-1: no
-- expiry known), or nil when the lock is free.
local busy = nil
if holder then
  busy = redis.call('PTTL', KEYS[1])
else
  local last_reader = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
  if #last_reader > 0 and tonumber(last_reader[2]) > now then
    busy = tonumber(last_reader[2]) - now
  end
end

local queued = redis.call('ZSCORE', KEYS[3], ARGV[1])
local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
local mine_is_next = (queued and head == ARGV[1]) or (not queued and not head)

if busy or not mine_is_next then
  if not queued then
    redis.call('ZADD', KEYS[3], redis.call('HINCRBY', KEYS[2], 'arrivals', 1), ARGV[1])
    head = head or ARGV[1]
  end
  redis.call('ZADD', KEYS[4], now + timeout, ARGV[1])
  settle()
  local pttl = refresh
  if busy then
    if busy >= 0 and busy < pttl then pttl = busy end
  elseif head ~= ARGV[1] then
    -- Free, but someone is ahead: come back when its entry would lapse,
    -- in case it died (a live head takes the lock long before).
    local deadline = redis.call('ZSCORE', KEYS[4], head)
    if deadline and tonumber(deadline) - now < pttl then pttl = math.max(0, tonumber(deadline) - now) end
  end
  return {0, pttl}
end

-- Free, and we are first in line (or the line is empty: no queue writes).
if queued then
  redis.call('ZREM', KEYS[3], ARGV[1])
  redis.call('ZREM', KEYS[4], ARGV[1])
  settle()
end
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
local handoff = -1
local released_at = redis.call('HGET', KEYS[2], 'released_at')
if released_at then
  handoff = now_us - tonumber(released_at)
  redis.call('HDEL', KEYS[2], 'released_at')
end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'fence', fence, 'host', ARGV[3], 'pid', ARGV[4],
           'label', ARGV[5], 'kind', ARGV[6], 'owner', ARGV[7], 'acquired_at', now, 'ttl', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, fence, handoff}
