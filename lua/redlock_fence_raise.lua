-- Raises a lock name's fencing counter on one master of a Redlock to the
-- fence its holder was given (the largest any granting master returned), so
-- the next holder, whose majority shares at least one master with this one,
-- draws a larger value there. Never lowers a counter.
--
-- KEYS[1]  holder hash  <prefix>lock:{name}        (lua/lock_acquire.lua)
-- KEYS[2]  state hash   <prefix>lock:{name}:state  field fence: the counter
-- ARGV[1]  the holder's token
-- ARGV[2]  fence
-- returns  the counter after the call
--
-- The holder hash shows the same fence on every master while the token is
-- still ours, so `redkit lock list` on any master names the Redlock's fence.
local fence = tonumber(ARGV[2])
local counter = tonumber(redis.call('HGET', KEYS[2], 'fence') or '0')
if counter < fence then
  redis.call('HSET', KEYS[2], 'fence', fence)
  counter = fence
end
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  redis.call('HSET', KEYS[1], 'fence', fence)
end
return counter
