-- Acquires an exclusive lock, or tells the caller how long the holder keeps it.
--
-- KEYS[1]  holder hash   <prefix>lock:{name}        token, fence, host, pid, label,
--                                                   kind, owner, acquired_at (server ms), ttl
-- KEYS[2]  state hash    <prefix>lock:{name}:state  fence (counter), released (last
--                                                   token released)
-- KEYS[3]  readers zset  <prefix>lock:{name}:readers the read-write lock's reader
--                                                   leases (token -> expiry, server ms):
--                                                   an exclusive lock waits for them too
-- ARGV[1]  token (128-bit random, hex)
-- ARGV[2]  ttl in milliseconds
-- ARGV[3]  owner host    ARGV[4] owner pid    ARGV[5] owner label    ARGV[6] kind
-- ARGV[7]  owner id (host/pid/thread: who waits for whom, for deadlock detection)
-- returns  {1, fence, handoff_us}  acquired, or already held with this token (a
--                            retry after a lost reply is answered, not refused);
--                            handoff_us: server µs since the release this
--                            acquisition follows, -1 if it follows an expiry
--                            or a first use
--          {0, pttl, fence}  held by another owner for pttl more ms
--
-- The holder's details live in the same key as the token, so they expire with
-- it: the registry cannot say a lock is held when it is not. The fencing
-- counter lives in a key that never expires, so tokens keep increasing across
-- expiries and restarts with persistence.
local holder = redis.call('HGET', KEYS[1], 'token')
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return {1, tonumber(redis.call('HGET', KEYS[1], 'fence'))}
end
if holder then
  return {0, redis.call('PTTL', KEYS[1]), tonumber(redis.call('HGET', KEYS[1], 'fence'))}
end
local now = redis.call('TIME')
local now_ms = now[1] * 1000 + math.floor(now[2] / 1000)
-- The latest reader lease decides: once it has ended, every lease has.
local last_reader = redis.call('ZRANGE', KEYS[3], -1, -1, 'WITHSCORES')
if #last_reader > 0 and tonumber(last_reader[2]) > now_ms then
  return {0, tonumber(last_reader[2]) - now_ms, -1}
end
local fence = redis.call('HINCRBY', KEYS[2], 'fence', 1)
-- Each release is followed by at most one measured handoff.
local handoff = -1
local released_at = redis.call('HGET', KEYS[2], 'released_at')
if released_at then
  handoff = now[1] * 1000000 + now[2] - tonumber(released_at)
  redis.call('HDEL', KEYS[2], 'released_at')
end
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'fence', fence, 'host', ARGV[3], 'pid', ARGV[4],
           'label', ARGV[5], 'kind', ARGV[6], 'owner', ARGV[7], 'acquired_at', now_ms, 'ttl', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, fence, handoff}
