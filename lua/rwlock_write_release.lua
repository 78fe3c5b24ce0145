-- Releases the write lock if the caller still holds it, and wakes the waiters
-- (readers and writers alike).
--
-- KEYS[1]  holder hash    <prefix>lock:{name}
-- KEYS[2]  state hash     <prefix>lock:{name}:state     released0..7 (tokens released,
--                                                        by fence modulo 8)
-- KEYS[3]  readers zset   <prefix>lock:{name}:readers   token -> lease expiry (server ms)
-- ARGV[1]  token
-- ARGV[2]  channel on which waiters listen for releases
-- ARGV[3]  the fencing token of the acquisition being released
-- returns  1   released (also when this token was released before: a retry after
--              a lost reply gets the same answer while fewer than eight other
--              writers or exclusive holders came in between)
--          0   our lock expired and others hold it now (a writer, an exclusive
--              holder or readers)
--         -1   our lock expired and nobody holds it
--! include leases
local released = 'released' .. (tonumber(ARGV[3]) % 8)
local holder = redis.call('HGET', KEYS[1], 'token')
if holder == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], released, ARGV[1])
  redis.call('PUBLISH', ARGV[2], 'released')
  return 1
end
if redis.call('HGET', KEYS[2], released) == ARGV[1] then
  return 1
end
return lost_answer(function()
  return holder or any_live_lease(KEYS[3], server_ms())
end)
