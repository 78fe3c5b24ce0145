-- Extends the write lock the caller still holds to a new time-to-live from now.
--
-- KEYS[1]  holder hash    <prefix>lock:{name}
-- KEYS[2]  readers zset   <prefix>lock:{name}:readers   token -> lease expiry (server ms)
-- ARGV[1]  token
-- ARGV[2]  ttl in milliseconds
-- returns  1 extended, 0 our lock expired and others hold it now (a writer, an
--          exclusive holder or readers), -1 our lock expired and nobody holds it
--! include lock_durations
--! include leases
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then return refused end
local holder = redis.call('HGET', KEYS[1], 'token')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('HSET', KEYS[1], 'ttl', ARGV[2])
  return 1
end
return lost_answer(function()
  return holder or any_live_lease(KEYS[2], server_ms())
end)
