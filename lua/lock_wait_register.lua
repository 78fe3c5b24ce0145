-- Records (or refreshes) that an owner is waiting for a lock, for deadlock
-- detection. Entries carry their own expiry, so a waiter that died stops
-- appearing in the wait-for graph without anyone cleaning up after it.
--
-- KEYS[1]  waits hash   <prefix>{lock-waits}   owner id -> "name\nsince_us\nexpires_ms"
-- ARGV[1]  owner id
-- ARGV[2]  lock name
-- ARGV[3]  how long the entry stays valid without a refresh, ms
-- returns  since_us: when this owner started waiting for this lock (server µs)
local now = redis.call('TIME')
local now_us = now[1] * 1000000 + now[2]
local since = now_us
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local name, previous = string.match(current, '^(.-)\n(%d+)\n')
  if name == ARGV[2] then since = tonumber(previous) end
end
redis.call('HSET', KEYS[1], ARGV[1],
           ARGV[2] .. '\n' .. string.format('%.0f', since) .. '\n' ..
           string.format('%.0f', math.floor(now_us / 1000) + tonumber(ARGV[3])))
return since
