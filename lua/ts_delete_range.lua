-- Deletes the samples of [lo, hi] that the server can delete without
-- decoding: head records and whole sealed chunks inside the range. Chunks
-- that straddle a bound are returned for the client to rewrite.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- KEYS[5]  rules hash     <prefix>ts:{NAME}:rules
-- KEYS[6]  sketches zset  <prefix>ts:{NAME}:sketch: a percentile rule's
--          bucket sketches, which go with their buckets
-- ARGV[1]  lo, ARGV[2] hi: inclusive timestamps
-- returns  {samples deleted, {first timestamp of each straddling chunk},
--          lo raised to kept_from (lib/ts_bounds.lua): what the client cuts
--          from the straddling chunks, deleted_updates' entries
--          (lib/ts_rules.lua)};
--          error 'NOSERIES' when the series does not exist
--! include ts_bounds
--! include ts_rules
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 0 then
  return redis.error_reply('NOSERIES no such series')
end
local lo, hi = tonumber(ARGV[1]), tonumber(ARGV[2])
-- What retention dropped is neither deleted again nor counted.
local keeps_from = series_kept_from(meta)
if keeps_from and keeps_from > lo then
  lo = keeps_from
end
if lo > hi then
  return {0, {}, lo}
end
redis.call('ZREMRANGEBYSCORE', KEYS[6], lo, hi)
local deleted = 0
local changed = false

local head = redis.call('GET', KEYS[2]) or ''
local kept = {}
for offset = 1, #head, 16 do
  local ts = struct.unpack('<i8', head, offset)
  if ts < lo or ts > hi then
    kept[#kept + 1] = string.sub(head, offset, offset + 15)
  else
    deleted = deleted + 1
  end
end
if deleted > 0 then
  if #kept == 0 then
    redis.call('DEL', KEYS[2])
  else
    redis.call('SET', KEYS[2], table.concat(kept))
  end
  changed = true
end

local straddling = {}
local holder = redis.call('ZREVRANGEBYSCORE', KEYS[3], lo, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
local inside = redis.call('ZRANGEBYSCORE', KEYS[3], string.format('(%d', lo), hi, 'WITHSCORES')
local candidates = {}
if holder[1] then
  candidates[1] = {holder[1], tonumber(holder[2])}
end
for i = 1, #inside, 2 do
  candidates[#candidates + 1] = {inside[i], tonumber(inside[i + 1])}
end
for _, chunk in ipairs(candidates) do
  local id, first = chunk[1], chunk[2]
  local count, last = struct.unpack('<i8i8', redis.call('HGET', KEYS[4], id))
  if first >= lo and last <= hi then
    redis.call('DEL', meta .. ':c:' .. id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    redis.call('HINCRBY', meta, 'sealed', -count)
    if redis.call('HGET', meta, 'tail') == id then
      redis.call('HDEL', meta, 'tail')
    end
    deleted = deleted + count
    changed = true
  elseif last >= lo and first <= hi then
    straddling[#straddling + 1] = first
  end
end

if changed then
  redis.call('HINCRBY', meta, 'gen', 1)
  refresh_bounds(meta, KEYS[2], KEYS[3], KEYS[4])
end
local reply = {deleted, straddling, lo}
deleted_updates(KEYS[5], lo, hi, reply, keeps_from or '')
return reply
