-- Acquires an exclusive lock, or tells the caller how long the holder keeps it.
--
-- KEYS[1]  holder hash   <prefix>lock:{name}        token, fence, host, pid, label,
--                                                   kind, owner, ttl; acquired_at (server ms)
--                                                   when the key's expiry cannot tell it;
--                                                   waiters ("1" once a waiter registered)
-- KEYS[2]  state hash    <prefix>lock:{name}:state  fence (counter); released_fence and
--                                                   released_at (server µs) of the last
--                                                   release that had waiters
-- KEYS[3]  readers zset  <prefix>lock:{name}:readers the read-write lock's reader
--                                                   leases (token -> expiry, server ms):
--                                                   an exclusive lock waits for them too
-- KEYS[4]  waiters zset  <prefix>lock:{name}:waiters waiting tokens -> registration
--                                                   expiry (server ms); a release wakes
--                                                   the first live one (lock_release.lua)
-- ARGV[1]  token (128-bit random, hex)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  owner host    ARGV[4] owner pid    ARGV[5] owner label    ARGV[6] kind
-- ARGV[7]  owner id (host/pid/thread: who waits for whom, for deadlock detection)
-- ARGV[8]  "1" when the caller waits for releases (it is subscribed): it measures
--          the handoff, and a refusal registers it as a waiter
-- ARGV[9]  how long a registration lasts without a new attempt, ms
-- returns  {1, fence, handoff_us}  acquired, or already held with this token (a
--                            retry after a lost reply is answered, not refused);
--                            handoff_us: server µs since the release this
--                            acquisition follows, -1 if not measured (the caller
--                            did not wait, or the lock expired or was free)
--          {0, pttl, fence}  held by another owner for pttl more ms
--
-- The holder's details live in the same key as the token, so they expire with
-- it: the registry cannot say a lock is held when it is not. The fencing
-- counter lives in a key that never expires, so tokens keep increasing across
-- expiries and restarts with persistence.
--
-- Each redis.call costs about as much again as the command itself, so the
-- common case (nobody holds the lock, no reader lease, nobody waiting) is
-- decided by one EXISTS over the three keys and takes four calls. It writes
-- no acquired_at: the key's expiry is acquired_at + ttl until something
-- changes the expiry, and whatever does (lock_extend.lua, a retry below)
-- records acquired_at first.
--! include lock_durations
--! include server_time
local refused = bad_durations({{ARGV[2], 'ttl'}, {ARGV[9], 'registration lifetime'}})
if refused then return refused end
local waited = ARGV[8] == '1'

-- Takes the free lock. now_us: the server time if the caller has it; waiting:
-- whether registered waiters remain, for the release to wake one.
local function take(now_us, waiting)
  -- Numbers handed to redis.call are printed with "%.17g", dearer than the
  -- command itself: the increment and the fence go as integer strings.
  local fence = redis.call('HINCRBY', KEYS[2], 'fence', '1')
  if waiting then
    redis.call('HSET', KEYS[1], 'token', ARGV[1], 'fence', string.format('%d', fence), 'host', ARGV[3],
               'pid', ARGV[4], 'label', ARGV[5], 'kind', ARGV[6], 'owner', ARGV[7], 'ttl', ARGV[2],
               'waiters', '1')
  else
    redis.call('HSET', KEYS[1], 'token', ARGV[1], 'fence', string.format('%d', fence), 'host', ARGV[3],
               'pid', ARGV[4], 'label', ARGV[5], 'kind', ARGV[6], 'owner', ARGV[7], 'ttl', ARGV[2])
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local handoff = -1
  if waited then
    -- Only the acquisition right after a release with waiters (fence one
    -- higher than the released one) is a handoff: each release is measured
    -- at most once, and never across an expiry.
    local last = redis.call('HMGET', KEYS[2], 'released_fence', 'released_at')
    if tonumber(last[1]) == fence - 1 and last[2] then
      handoff = (now_us or server_us()) - tonumber(last[2])
    end
  end
  return {1, fence, handoff}
end

if redis.call('EXISTS', KEYS[1], KEYS[3], KEYS[4]) == 0 then
  return take(nil, false)
end

local holder = redis.call('HMGET', KEYS[1], 'token', 'fence', 'acquired_at', 'ttl')
if holder[1] == ARGV[1] then
  if not holder[3] then
    -- The expiry is about to move: keep when the lock was acquired.
    redis.call('HSET', KEYS[1], 'acquired_at',
               string.format('%d', redis.call('PEXPIRETIME', KEYS[1]) - tonumber(holder[4])))
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, tonumber(holder[2])}
end
if holder[1] then
  if waited then
    -- Registered (or refreshed) behind the holder: its release wakes the
    -- first live registration instead of every waiter at once.
    redis.call('ZADD', KEYS[4], string.format('%d', server_ms() + tonumber(ARGV[9])), ARGV[1])
    redis.call('PEXPIRE', KEYS[4], ARGV[9])
    redis.call('HSET', KEYS[1], 'waiters', '1')
  end
  return {0, redis.call('PTTL', KEYS[1]), tonumber(holder[2])}
end
local now_us = server_us()
local now_ms = math.floor(now_us / 1000)
-- The latest reader lease decides: once it has ended, every lease has.
local last_reader = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
if #last_reader > 0 and tonumber(last_reader[2]) > now_ms then
  return {0, tonumber(last_reader[2]) - now_ms, -1}
end
if waited then redis.call('ZREM', KEYS[4], ARGV[1]) end
return take(now_us, redis.call('EXISTS', KEYS[4]) == 1)
