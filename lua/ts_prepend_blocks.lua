-- Stores blocks of samples that are all older than everything the series
-- holds, as a chunk of their own before the others. A rule's backfill fills
-- its destination backwards, newest slice first, so each slice is older
-- than what is already there and goes in without touching any chunk.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[3]  summaries      <prefix>ts:{NAME}:summary
-- KEYS[4]  rules hash     <prefix>ts:{NAME}:rules
-- ARGV[1]  the encoded blocks
-- ARGV[2]  their first timestamp
-- ARGV[3]  their summary: struct '<i8i8ddd' (count, last timestamp, min, max,
--          sum)
-- ARGV[4]  their newest sample as a head record (the series' 'nw' when it
--          held nothing)
-- returns  {1, then rule_updates' entries (lib/ts_rules.lua)} stored; {0}
--          refused: the series holds a sample at or before the blocks' last,
--          or they reach below what its retention keeps; error 'NOSERIES'
--! include ts_rules
--! include ts_bounds
local meta = KEYS[1]
local state = redis.call('HMGET', meta, 'v', 'first', 'floor', 'last', 'ret')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
local first = tonumber(ARGV[2])
local count, last = struct.unpack('<i8i8', ARGV[3])
if state[2] and last >= tonumber(state[2]) then
  return {0}
end
local kept = kept_from(state[3], state[4], state[5])
if kept and first < kept then
  return {0}
end
-- A writer placing an old sample chose the first chunk (where everything
-- older than all chunks went) and will rewrite it, checking only that chunk
-- (lua/ts_chunk_put.lua). That choice is wrong from now on, so the first
-- chunk moves to a new id: the rewrite finds its chunk gone and reads again.
local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if oldest[1] then
  local moved = redis.call('HINCRBY', meta, 'seq', 1)
  redis.call('RENAME', meta .. ':c:' .. oldest[1], meta .. ':c:' .. moved)
  redis.call('ZREM', KEYS[2], oldest[1])
  redis.call('ZADD', KEYS[2], oldest[2], moved)
  redis.call('HSET', KEYS[3], moved, redis.call('HGET', KEYS[3], oldest[1]))
  redis.call('HDEL', KEYS[3], oldest[1])
  if redis.call('HGET', meta, 'tail') == oldest[1] then
    redis.call('HSET', meta, 'tail', moved)
  end
end
local id = redis.call('HINCRBY', meta, 'seq', 1)
redis.call('SET', meta .. ':c:' .. id, ARGV[1])
redis.call('ZADD', KEYS[2], first, id)
redis.call('HSET', KEYS[3], id, ARGV[3])
redis.call('HINCRBY', meta, 'sealed', count)
redis.call('HSET', meta, 'first', first)
if not state[4] then
  -- The series held nothing: these are its newest samples too, and the
  -- chunk takes the blocks that come next.
  redis.call('HSET', meta, 'last', last, 'nw', ARGV[4], 'tail', id)
end
-- Readers' snapshots and seals compare this counter.
redis.call('HINCRBY', meta, 'gen', 1)
local reply = {1}
if tonumber(redis.call('HGET', meta, 'nrules') or '0') > 0 then
  rule_updates(KEYS[4], first, last, reply, nil, kept_from(state[3], state[4] or last, state[5]) or '')
end
return reply
