-- Deletes a key only if it still holds the expected value: the owner check of
-- a lock release, atomic because the server runs a script without interleaving.
--
-- KEYS[1]  the key
-- ARGV[1]  the value the caller expects it to hold
-- returns  1 if the key was deleted, 0 if it held another value or was absent
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
