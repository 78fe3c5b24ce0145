-- Records (or refreshes) that an owner is waiting for a lock, for deadlock
-- detection. Entries carry their own expiry, so a waiter that died stops
-- appearing in the wait-for graph without anyone cleaning up after it.
--
-- KEYS[1]  waits hash   <prefix>{lock-waits}   owner id -> "name\nsince_us\nexpires_ms";
--                                               expires with its longest-lived entry
-- ARGV[1]  owner id
-- ARGV[2]  lock name
-- ARGV[3]  how long the entry stays valid without a refresh, ms
-- returns  since_us: when this owner started waiting for this lock (server µs)
--! include lock_durations
--! include server_time
local refused = bad_durations({{ARGV[3], 'wait entry lifetime'}})
if refused then return refused end
local now_us = server_us()
local since = now_us
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current then
  local name, previous = string.match(current, '^(.-)\n(%d+)\n')
  if name == ARGV[2] then since = tonumber(previous) end
end
local now_ms = math.floor(now_us / 1000)
redis.call('HSET', KEYS[1], ARGV[1],
           ARGV[2] .. '\n' .. string.format('%.0f', since) .. '\n' ..
           string.format('%.0f', now_ms + tonumber(ARGV[3])))
-- Entries of waiters that died are never refreshed: each registration
-- deletes the expired ones among a few picked at random, and the hash
-- itself expires with its longest-lived entry, so it cannot grow forever.
local sampled = redis.call('HRANDFIELD', KEYS[1], 8, 'WITHVALUES')
for i = 1, #sampled, 2 do
  local expires = tonumber(string.match(sampled[i + 1], '\n(%d+)$'))
  if not expires or expires <= now_ms then
    redis.call('HDEL', KEYS[1], sampled[i])
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3], 'GT')
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return since
