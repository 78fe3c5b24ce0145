-- Releases a lock whoever holds it (an operator's decision), and wakes the
-- waiters. The holder learns of it at its next renewal, which fails.
--
-- KEYS[1]  holder hash   <prefix>lock:{name}
-- KEYS[2]  state hash    <prefix>lock:{name}:state
-- ARGV[1]  channel on which waiters listen for releases
-- returns  the released holder's token, or false if the lock was not held
local holder = redis.call('HGET', KEYS[1], 'token')
if not holder then
  return false
end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], 'released')
return holder
