-- Stores blocks the client compressed, in one of two ways:
--  'seal'    the blocks hold the oldest records of the head: they leave the
--            head, provided the head did not change in place since the
--            client read it (appends at its end are fine);
--  'append'  the blocks hold samples newer than the whole series (bulk
--            ingest): refused while the head holds samples (they are older
--            and must be sealed first) or when the blocks are not newer.
-- The tail chunk takes the blocks while it stays under the size target,
-- otherwise they start a new chunk. A chunk is always written with one SET,
-- so Redis keeps no APPEND growth slack for it.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks   (chunk id -> first timestamp)
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary  (chunk id -> summary)
-- KEYS[5]  rules hash     <prefix>ts:{NAME}:rules
-- Chunks live in <prefix>ts:{NAME}:c:<id>, beside KEYS[1] in its hash slot.
-- ARGV[1]  'seal' or 'append'
-- ARGV[2]  seal: 'gen' of the metadata read together with the head (ts_head)
-- ARGV[3]  seal: bytes of the head the blocks hold (16 per sample)
-- ARGV[4]  the encoded blocks; seal: '' when every record cut from the head
--          was older than the series keeps (nothing to store)
-- ARGV[5]  their first timestamp
-- ARGV[6]  their summary: struct '<i8i8ddd' (count, last timestamp, min, max, sum)
-- ARGV[7]  chunk size target in bytes
-- ARGV[8]  append: the newest sample as a head record (the series' 'nw')
-- returns  {1, then for 'append' rule_updates' entries (lib/ts_rules.lua)}
--          stored; {0, reason} refused, reason 'changed' (seal: read the
--          head again), 'head' or 'older' (append: fall back to ts_add);
--          error 'NOSERIES' when the series does not exist
--! include ts_rules
--! include ts_bounds
local meta = KEYS[1]
local state = redis.call('HMGET', meta, 'v', 'last', 'tail', 'gen', 'nrules', 'floor', 'ret')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
local blocks, first, summary = ARGV[4], tonumber(ARGV[5]), ARGV[6]
local count, last = 0, nil
if blocks ~= '' then
  count, last = struct.unpack('<i8i8', summary)
end

if ARGV[1] == 'seal' then
  if state[4] ~= ARGV[2] then
    return {0, 'changed'}
  end
  local head = redis.call('GET', KEYS[2]) or ''
  local cut = tonumber(ARGV[3])
  if #head < cut then
    return {0, 'changed'}
  end
  if #head == cut then
    redis.call('DEL', KEYS[2])
  else
    redis.call('SET', KEYS[2], string.sub(head, cut + 1))
  end
  if blocks == '' then
    redis.call('HINCRBY', meta, 'gen', 1)
    return {1}
  end
else
  if redis.call('STRLEN', KEYS[2]) > 0 then
    return {0, 'head'}
  end
  -- Older than the series, or than its stored floor (lib/ts_bounds.lua).
  if state[2] and first <= tonumber(state[2]) or state[6] and first < tonumber(state[6]) then
    return {0, 'older'}
  end
  if state[2] then
    redis.call('HSET', meta, 'last', last, 'nw', ARGV[8])
  else
    redis.call('HSET', meta, 'last', last, 'first', first, 'nw', ARGV[8])
  end
end

local placed = false
if state[3] then
  local tail_key = meta .. ':c:' .. state[3]
  local bytes = redis.call('GET', tail_key)
  if bytes and #bytes + #blocks <= tonumber(ARGV[7]) then
    redis.call('SET', tail_key, bytes .. blocks)
    local n1, _, min1, max1, sum1 = struct.unpack('<i8i8ddd', redis.call('HGET', KEYS[4], state[3]))
    local n2, last2, min2, max2, sum2 = struct.unpack('<i8i8ddd', summary)
    redis.call('HSET', KEYS[4], state[3],
      struct.pack('<i8i8ddd', n1 + n2, last2, math.min(min1, min2), math.max(max1, max2), sum1 + sum2))
    placed = true
  end
end
if not placed then
  local id = redis.call('HINCRBY', meta, 'seq', 1)
  redis.call('SET', meta .. ':c:' .. id, blocks)
  redis.call('ZADD', KEYS[3], first, id)
  redis.call('HSET', KEYS[4], id, summary)
  redis.call('HSET', meta, 'tail', id)
end
redis.call('HINCRBY', meta, 'sealed', count)
-- Chunk rewrites (ts_chunk_put) and seals compare this counter.
redis.call('HINCRBY', meta, 'gen', 1)
local reply = {1}
if ARGV[1] == 'append' and tonumber(state[5] or '0') > 0 then
  rule_updates(KEYS[5], first, last, reply, nil, kept_from(state[6], last, state[7]) or '')
end
return reply
