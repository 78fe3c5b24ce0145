-- Replaces one sealed chunk by the pieces the client re-encoded after
-- placing older samples in it or deleting some of its samples, provided no
-- seal, append or other rewrite happened since the client read it.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- ARGV[1]  'gen' read with the chunk (ts_chunk_get)
-- ARGV[2]  id of the chunk replaced
-- ARGV[3]  change in the series' sample count
-- ARGV[4..] per piece: first timestamp, blocks, summary (struct '<i8i8ddd');
--          no pieces: the chunk is deleted
-- returns  1 stored, 0 the series changed since the chunk was read
--! include ts_bounds
local meta = KEYS[1]
if redis.call('HGET', meta, 'gen') ~= ARGV[1] then
  return 0
end
local old = ARGV[2]
redis.call('DEL', meta .. ':c:' .. old)
redis.call('ZREM', KEYS[3], old)
redis.call('HDEL', KEYS[4], old)
local newest_id = nil
for i = 4, #ARGV, 3 do
  local id = redis.call('HINCRBY', meta, 'seq', 1)
  redis.call('SET', meta .. ':c:' .. id, ARGV[i + 1])
  redis.call('ZADD', KEYS[3], ARGV[i], id)
  redis.call('HSET', KEYS[4], id, ARGV[i + 2])
  newest_id = id
end
if redis.call('HGET', meta, 'tail') == old then
  if newest_id then
    redis.call('HSET', meta, 'tail', newest_id)
  else
    redis.call('HDEL', meta, 'tail')
  end
end
redis.call('HINCRBY', meta, 'sealed', ARGV[3])
redis.call('HINCRBY', meta, 'gen', 1)

-- The series' first and last timestamps may have moved.
refresh_bounds(meta, KEYS[2], KEYS[3], KEYS[4])
return 1
