-- Replaces one sealed chunk by the pieces the client re-encoded after
-- placing older samples in it or deleting some of its samples, provided that
-- chunk is unchanged since the client read it.
--
-- A chunk's length is its version: blocks are only ever added to a chunk
-- (which lengthens it), and a rewrite, a delete or a trim replaces or removes
-- its key for good (chunk ids are never reused). Checking the one chunk, not
-- the series' 'gen', lets rewrites of one chunk go ahead while other writers
-- append and seal elsewhere in the series; the head is not touched, so 'gen'
-- (which guards the head for seals) does not change either.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- ARGV[1]  the chunk's length in bytes as read (ts_chunk_get)
-- ARGV[2]  id of the chunk replaced
-- ARGV[3]  change in the series' sample count
-- ARGV[4..] per piece: first timestamp, blocks, summary (struct '<i8i8ddd');
--          no pieces: the chunk is deleted
-- returns  1 stored, 0 the chunk changed or went away since it was read
--! include ts_bounds
local meta = KEYS[1]
local old = ARGV[2]
if redis.call('STRLEN', meta .. ':c:' .. old) ~= tonumber(ARGV[1]) then
  return 0
end
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

-- The series' first and last timestamps may have moved.
refresh_bounds(meta, KEYS[2], KEYS[3], KEYS[4])
return 1
