-- Ends every read lease of a lock whoever holds them (an operator's decision),
-- and wakes the waiters. The readers learn of it at their next renewal.
--
-- KEYS[1]  readers zset   <prefix>lock:{name}:readers
-- KEYS[2]  owners hash    <prefix>lock:{name}:readers:owners
-- ARGV[1]  channel on which waiters listen for releases
-- returns  the number of live leases ended
--! include server_time
local now = server_ms()
local live = redis.call('ZCOUNT', KEYS[1], live_from(now), '+inf')
redis.call('DEL', KEYS[1], KEYS[2])
if live > 0 then
  redis.call('PUBLISH', ARGV[1], 'released')
end
return live
