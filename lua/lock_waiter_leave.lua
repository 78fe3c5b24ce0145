-- Withdraws a waiter that gives up (its wait ran out, or it was chosen to
-- break a deadlock). If a release had just chosen it to wake, the lock may be
-- free with others waiting: the next live registrations are woken instead
-- (as lock_release.lua does).
--
-- KEYS[1]  waiters zset  <prefix>lock:{name}:waiters
-- KEYS[2]  holder hash   <prefix>lock:{name}
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1 if the waiter was registered, 0 if not
--! include server_time
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', server_ms())
  local first = redis.call('ZRANGE', KEYS[1], 0, 1)
  if #first > 0 then
    redis.call('PUBLISH', ARGV[2], table.concat(first, ' '))
  end
end
return 1
