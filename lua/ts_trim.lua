-- Enforces a series' retention: deletes the sealed chunks whose samples are
-- all older than the newest sample minus the retention. Run after each seal
-- or bulk append, so expired chunks go as data arrives; bounded per call.
-- Samples of a partly expired chunk stay until the whole chunk expires;
-- queries never return them.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[3]  summaries      <prefix>ts:{NAME}:summary
-- ARGV[1]  at most this many chunks deleted
-- returns  the number of chunks deleted
local meta = KEYS[1]
local state = redis.call('HMGET', meta, 'ret', 'last')
local retention, last = tonumber(state[1]), tonumber(state[2])
if not retention or retention <= 0 or not last then
  return 0
end
local cutoff = last - retention
local deleted = 0
while deleted < tonumber(ARGV[1]) do
  -- A chunk's samples all precede the next chunk's first timestamp.
  local two = redis.call('ZRANGE', KEYS[2], 0, 1, 'WITHSCORES')
  if not two[3] or tonumber(two[4]) > cutoff then
    break
  end
  local id = two[1]
  local count = struct.unpack('<i8', redis.call('HGET', KEYS[3], id))
  redis.call('DEL', meta .. ':c:' .. id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
  redis.call('HINCRBY', meta, 'sealed', -count)
  redis.call('HSET', meta, 'first', two[4])
  deleted = deleted + 1
end
if deleted > 0 then
  redis.call('HINCRBY', meta, 'gen', 1)
end
return deleted
