-- Releases a lock if the caller still holds it, and wakes the waiters.
--
-- KEYS[1]  holder hash   <prefix>lock:{name}
-- KEYS[2]  state hash    <prefix>lock:{name}:state
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1   released (also when this token was released before: a retry
--              after a lost reply gets the same answer)
--          0   held by another owner (ours expired and someone took it)
--         -1   not held by anyone (ours expired)
local holder = redis.call('HMGET', KEYS[1], 'token', 'fence')
if holder[1] == ARGV[1] then
  redis.call('DEL', KEYS[1])
  -- PUBLISH answers how many subscribers heard it. Only then can a waiter
  -- take over, and only then is the release time worth a TIME and the
  -- handoff bookkeeping (read by lock_acquire.lua and fair_lock_acquire.lua).
  if redis.call('PUBLISH', ARGV[2], 'released') > 0 then
    local now = redis.call('TIME')
    redis.call('HSET', KEYS[2], 'released', ARGV[1], 'released_fence', holder[2],
               'released_at', now[1] * 1000000 + now[2])
  else
    redis.call('HSET', KEYS[2], 'released', ARGV[1])
  end
  return 1
end
if redis.call('HGET', KEYS[2], 'released') == ARGV[1] then
  return 1
end
if holder[1] then
  return 0
end
return -1
