-- Acquires a read lease, or tells the caller how long it should wait.
--
-- KEYS[1]  holder hash    <prefix>lock:{name}                   the writer (or exclusive holder)
-- KEYS[2]  state hash     <prefix>lock:{name}:state             fence (counter)
-- KEYS[3]  readers zset   <prefix>lock:{name}:readers           token -> lease expiry (server ms)
-- KEYS[4]  owners hash    <prefix>lock:{name}:readers:owners    token -> JSON {host, pid, label,
--                                                               owner, fence, acquired_at, ttl}
-- KEYS[5]  intents zset   <prefix>lock:{name}:intents           waiting writer token -> intent expiry
-- ARGV[1]  token (128-bit random, hex)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  owner host    ARGV[4] owner pid    ARGV[5] owner label
-- ARGV[6]  owner id (host/pid/thread: who waits for whom, for deadlock detection)
-- returns  {1, fence}   acquired, or already held with this token (a retry after a
--                       lost reply is answered, not refused)
--          {0, pttl}    a writer holds the lock for pttl more ms, or a writer waits
--                       and readers stand aside for up to pttl ms (writer preference)
--
-- Each reader's lease ends on its own (lua/lib/leases.lua).
--! include lock_durations
--! include leases
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then return refused end
local now = server_ms()
local readers, owners = KEYS[3], KEYS[4]
-- A live read lease of ours means no writer got in since (a writer needs
-- every lease ended); an expired one is never renewed, even while it waits
-- to be pruned.
local renewed = renew_if_retried(readers, owners, ARGV[1], ARGV[2], now)
if renewed then
  return {1, renewed}
end

if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('PTTL', KEYS[1])}
end

redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
local intent = redis.call('ZRANGE', KEYS[5], -1, -1, 'WITHSCORES')
if #intent > 0 then
  return {0, tonumber(intent[2]) - now}
end

local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
grant_lease(readers, owners, ARGV[1], ARGV[2], now, fence, ARGV[3], ARGV[4], ARGV[5], ARGV[6])
return {1, fence}
