-- Extends a read lease the caller still holds to a new time-to-live from now.
--
-- KEYS[1]  holder hash    <prefix>lock:{name}
-- KEYS[2]  readers zset   <prefix>lock:{name}:readers
-- KEYS[3]  owners hash    <prefix>lock:{name}:readers:owners
-- ARGV[1]  token
-- ARGV[2]  ttl in milliseconds
-- returns  1 extended, 0 our lease expired and others hold the lock, -1 our lease
--          expired and nobody holds it
--! include lock_durations
--! include leases
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then return refused end
local now = server_ms()
return extend_lease(KEYS[2], KEYS[3], ARGV[1], ARGV[2], now, function()
  return redis.call('EXISTS', KEYS[1]) == 1 or any_live_lease(KEYS[2], now)
end)
