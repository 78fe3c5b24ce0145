-- Withdraws a waiting writer's intent when it gives up, and wakes the readers
-- it was holding back once no other writer waits.
--
-- KEYS[1]  intents zset   <prefix>lock:{name}:intents   waiting writer token -> intent expiry
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1 the intent was withdrawn, 0 there was none (never recorded, or lapsed)
--! include server_time
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then
  return 0
end
local now = server_ms()
if redis.call('ZCOUNT', KEYS[1], live_from(now), '+inf') == 0 then
  redis.call('PUBLISH', ARGV[2], 'released')
end
return 1
