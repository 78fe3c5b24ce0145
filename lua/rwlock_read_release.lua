-- Ends a read lease if the caller still holds it; wakes the waiters when the
-- last reader leaves (a writer waits for exactly that).
--
-- KEYS[1]  holder hash     <prefix>lock:{name}
-- KEYS[2]  readers zset    <prefix>lock:{name}:readers
-- KEYS[3]  owners hash     <prefix>lock:{name}:readers:owners
-- KEYS[4]  released zset   <prefix>lock:{name}:readers:released   token -> release time;
--                                                                 the last 64, for a minute
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1   released (also when this token was released before: a retry after
--              a lost reply gets the same answer)
--          0   our lease expired and others hold the lock (a writer or readers)
--         -1   our lease expired and nobody holds the lock
--! include leases
local now = server_ms()
return release_lease(KEYS[2], KEYS[3], KEYS[4], ARGV[1], now, function()
  -- A writer waits for the last reader to leave.
  if not any_live_lease(KEYS[2], now) then
    redis.call('PUBLISH', ARGV[2], 'released')
  end
end, function()
  return redis.call('EXISTS', KEYS[1]) == 1 or any_live_lease(KEYS[2], now)
end)
