-- Returns a permit if the caller's lease is still live, and wakes the waiters.
--
-- KEYS[1]  permits zset    <prefix>lock:{name}:permits            token -> lease expiry (server ms)
-- KEYS[2]  owners hash     <prefix>lock:{name}:permits:owners     token -> JSON owner details
-- KEYS[3]  released zset   <prefix>lock:{name}:permits:released   token -> release time;
--                                                                 the last 64, for a minute
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- returns  1   released (also when this token was released before: a retry after
--              a lost reply gets the same answer)
--          0   our lease expired and other permits are held
--         -1   our lease expired and no permit is held
--! include leases
local now = server_ms()
return release_lease(KEYS[1], KEYS[2], KEYS[3], ARGV[1], now, function()
  -- One permit is free: every waiter wakes and one of them takes it.
  redis.call('PUBLISH', ARGV[2], 'released')
end, function()
  return any_live_lease(KEYS[1], now)
end)
