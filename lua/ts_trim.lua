-- Frees what a series' retention dropped: deletes the sealed chunks whose
-- samples are all older than kept_from (lib/ts_bounds.lua). Run after each
-- seal or bulk append and after a retention change, so expired chunks go as
-- data arrives; bounded per call. The samples of the one chunk that
-- straddles kept_from stay stored until the whole chunk expires, and head
-- records older than it until the head is sealed; reads and counts never
-- include them.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[3]  summaries      <prefix>ts:{NAME}:summary
-- ARGV[1]  at most this many chunks deleted
-- returns  the number of chunks deleted
--! include ts_bounds
local meta = KEYS[1]
local state = redis.call('HMGET', meta, 'floor', 'last', 'ret', 'tail')
local cutoff = kept_from(state[1], state[2], state[3])
if not cutoff then
  return 0
end
local deleted = 0
while deleted < tonumber(ARGV[1]) do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not oldest then
    break
  end
  local count, last = struct.unpack('<i8i8', redis.call('HGET', KEYS[3], oldest))
  if last >= cutoff then
    break
  end
  redis.call('DEL', meta .. ':c:' .. oldest)
  redis.call('ZREM', KEYS[2], oldest)
  redis.call('HDEL', KEYS[3], oldest)
  redis.call('HINCRBY', meta, 'sealed', -count)
  if oldest == state[4] then
    redis.call('HDEL', meta, 'tail')
  end
  deleted = deleted + 1
end
if deleted > 0 then
  local next_first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')[2]
  if next_first then
    redis.call('HSET', meta, 'first', next_first)
  end
  redis.call('HINCRBY', meta, 'gen', 1)
end
return deleted
