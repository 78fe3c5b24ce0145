-- Extends a lock the caller still holds to a new time-to-live from now.
--
-- KEYS[1]  holder hash   <prefix>lock:{name}
-- ARGV[1]  token
-- ARGV[2]  ttl in milliseconds
-- returns  1 extended, 0 held by another owner, -1 not held by anyone
--
-- lock_acquire.lua leaves acquired_at to be read off the key's expiry
-- (expiry - ttl); the first extension, which moves the expiry, records it.
--! include lock_durations
--! include lock_outcomes
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then return refused end
local holder = redis.call('HMGET', KEYS[1], 'token', 'acquired_at', 'ttl')
if holder[1] == ARGV[1] then
  if holder[2] then
    redis.call('HSET', KEYS[1], 'ttl', ARGV[2])
  else
    local acquired_at = redis.call('PEXPIRETIME', KEYS[1]) - tonumber(holder[3])
    redis.call('HSET', KEYS[1], 'ttl', ARGV[2], 'acquired_at', string.format('%d', acquired_at))
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return lost_answer(function() return holder[1] end)
