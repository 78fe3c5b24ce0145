-- Extends a lock the caller still holds to a new time-to-live from now.
--
-- KEYS[1]  holder hash   <prefix>lock:{name}
-- ARGV[1]  token
-- ARGV[2]  ttl in milliseconds
-- returns  1 extended, 0 held by another owner, -1 not held by anyone
local holder = redis.call('HGET', KEYS[1], 'token')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  redis.call('HSET', KEYS[1], 'ttl', ARGV[2])
  return 1
end
if holder then
  return 0
end
return -1
