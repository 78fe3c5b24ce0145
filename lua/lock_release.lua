-- Releases a lock if the caller still holds it, and wakes a waiter.
--
-- KEYS[1]  holder hash   <prefix>lock:{name}
-- KEYS[2]  state hash    <prefix>lock:{name}:state
-- KEYS[3]  waiters zset  <prefix>lock:{name}:waiters (optional: the fair lock
--                        passes none)
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- ARGV[3]  the fencing token of the acquisition being released
-- returns  1   released (also when this token was released before: a retry
--              after a lost reply gets the same answer, even when up to seven
--              more holders came and went in between)
--          0   held by another owner (ours expired and someone took it)
--         -1   not held by anyone (ours expired)
--
-- The message is "released" (every waiter may try) or, when waiters have
-- registered (lock_acquire.lua), the tokens of the first two live
-- registrations, space-separated: those two try at once, instead of every
-- waiter of every process waking and queueing its attempt at the server.
-- Two rather than one: the lock goes to whichever gets a CPU first, and a
-- chosen waiter that died is covered by the other. The rest keep their own
-- backoff, so waiters that died delay them by one backoff at most, until
-- their registrations lapse.
--
-- Released tokens are remembered in eight fields of the state hash,
-- released0 to released7, chosen by fence modulo 8: a retry finds its own
-- without a read on the common path, and the hash stays the same size.
--! include server_time
--! include lock_outcomes
local released = 'released' .. (tonumber(ARGV[3]) % 8)
local holder = redis.call('HMGET', KEYS[1], 'token', 'fence', 'waiters')
if holder[1] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  local message = 'released'
  local now_us
  if holder[3] and KEYS[3] then
    now_us = server_us()
    redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', math.floor(now_us / 1000))
    local first = redis.call('ZRANGE', KEYS[3], 0, 1)
    if #first > 0 then message = table.concat(first, ' ') end
  end
  -- PUBLISH answers how many subscribers heard it. Only then can a waiter
  -- take over, and only then is the release time worth a TIME and the
  -- handoff bookkeeping (read by lock_acquire.lua and fair_lock_acquire.lua).
  if redis.call('PUBLISH', ARGV[2], message) > 0 then
    redis.call('HSET', KEYS[2], released, ARGV[1], 'released_fence', holder[2],
               'released_at', string.format('%d', now_us or server_us()))
  else
    redis.call('HSET', KEYS[2], released, ARGV[1])
  end
  return 1
end
if redis.call('HGET', KEYS[2], released) == ARGV[1] then
  return 1
end
return lost_answer(function() return holder[1] end)
