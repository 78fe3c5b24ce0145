-- Takes a waiter that gives up out of a fair lock's queue; when it was first
-- in line, wakes the others so the next one does not wait for a release.
--
-- KEYS[1]  queue zset       <prefix>lock:{name}:queue             token -> arrival number
-- KEYS[2]  deadlines zset   <prefix>lock:{name}:queue:deadlines   token -> entry expiry (server ms)
-- KEYS[3]  holder hash      <prefix>lock:{name}
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1 the entry was removed, 0 there was none (never queued, or lapsed)
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[1])
  return 0
end
redis.call('ZREM', KEYS[2], ARGV[1])
if head == ARGV[1] and redis.call('ZCARD', KEYS[1]) > 0 and redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('PUBLISH', ARGV[2], 'released')
end
return 1
