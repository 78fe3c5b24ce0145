-- Takes one permit of a counting semaphore, or tells the caller when the
-- first lease ends.
--
-- KEYS[1]  permits zset   <prefix>lock:{name}:permits          token -> lease expiry (server ms)
-- KEYS[2]  owners hash    <prefix>lock:{name}:permits:owners   token -> JSON {host, pid, label, owner,
--                                                              fence, acquired_at, ttl}
-- KEYS[3]  state hash     <prefix>lock:{name}:state            fence (counter), permits (N while
--                                                              any lease is live)
-- ARGV[1]  token (128-bit random, hex)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  permits N (> 0)
-- ARGV[4]  owner host    ARGV[5] owner pid    ARGV[6] owner label    ARGV[7] owner id
-- returns  {1, fence}   acquired, or already held with this token (a retry after a
--                       lost reply is answered, not refused)
--          {0, pttl}    all N permits are taken; the earliest lease ends in pttl ms
--          error "MISUSE ..." when live permits were granted under another N
--
-- N is stored while permits are held and every caller must send the same:
-- with two counts in use "never more than N" has no meaning. Once the last
-- lease has ended the next caller's N replaces it, so a deployment can change
-- N without an operator deleting keys.
--! include lock_durations
--! include leases
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then return refused end
local now = server_ms()
local permits = tonumber(ARGV[3])
local leases, owners = KEYS[1], KEYS[2]
local renewed = renew_if_retried(leases, owners, ARGV[1], ARGV[2], now)
if renewed then
  return {1, renewed}
end

local live = redis.call('ZCOUNT', leases, live_from(now), '+inf')
local stored = tonumber(redis.call('HGET', KEYS[3], 'permits'))
if stored and stored ~= permits and live > 0 then
  return redis.error_reply(string.format(
    'MISUSE semaphore holds %d of %d permits; this handle asks for %d permits ' ..
    '(every user of one name must agree on the count)', live, stored, permits))
end
if live >= permits then
  local first = redis.call('ZRANGEBYSCORE', leases, live_from(now), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {0, tonumber(first[2]) - now}
end

if stored ~= permits then
  redis.call('HSET', KEYS[3], 'permits', permits)
end
local fence = redis.call('HINCRBY', KEYS[3], 'fence', 1)
grant_lease(leases, owners, ARGV[1], ARGV[2], now, fence, ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return {1, fence}
