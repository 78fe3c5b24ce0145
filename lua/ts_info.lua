-- Reads what Store::info reports, in one step. Counts describe what a read
-- returns: samples older than kept_from (lib/ts_bounds.lua) that are still
-- stored are left out, and the one chunk that straddles kept_from is sent
-- for the client to count.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- KEYS[5]  labels hash    <prefix>ts:{NAME}:labels
-- KEYS[6]  rules hash     <prefix>ts:{NAME}:rules
-- KEYS[7]  sketches zset  <prefix>ts:{NAME}:sketch
-- returns  {metadata as HGETALL, head bytes (16 per record, kept or not),
--          memory bytes of every key of the series, labels as HGETALL,
--          rules as HGETALL, kept_from or '',
--          samples in chunks wholly kept, those chunks' count, the first
--          timestamp of the oldest of them or '',
--          head records kept, the first of them or '',
--          {id, first timestamp, summary} of the straddling chunk or {},
--          its bytes or ''};
--          error 'NOSERIES' when the series does not exist
--! include ts_bounds
local meta = KEYS[1]
local fields = redis.call('HGETALL', meta)
if #fields == 0 then
  return redis.error_reply('NOSERIES no such series')
end
local from = series_kept_from(meta)
local function memory(key)
  return redis.call('MEMORY', 'USAGE', key, 'SAMPLES', 0) or 0
end
local bytes = memory(meta) + memory(KEYS[2]) + memory(KEYS[3]) + memory(KEYS[4]) + memory(KEYS[5]) + memory(KEYS[6]) +
  memory(KEYS[7])
local chunks = redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
local sealed, whole, first_whole = 0, 0, ''
local straddling, straddling_bytes = {}, ''
for i = 1, #chunks, 2 do
  local id, first = chunks[i], tonumber(chunks[i + 1])
  bytes = bytes + memory(meta .. ':c:' .. id)
  local summary = redis.call('HGET', KEYS[4], id) or ''
  local count, last = 0, nil
  if #summary >= 16 then
    count, last = struct.unpack('<i8i8', summary)
  end
  if not from or first >= from then
    sealed, whole = sealed + count, whole + 1
    if first_whole == '' then
      first_whole = chunks[i + 1]
    end
  elseif last and last >= from then
    straddling = {id, chunks[i + 1], summary}
    straddling_bytes = redis.call('GET', meta .. ':c:' .. id) or ''
  end
end
local head = redis.call('GET', KEYS[2]) or ''
local head_kept, head_first = 0, ''
if #head % 16 == 0 then
  for offset = 1, #head, 16 do
    local ts = struct.unpack('<i8', head, offset)
    if not from or ts >= from then
      head_kept = (#head - offset + 1) / 16
      head_first = ts
      break
    end
  end
end
return {fields, #head, bytes, redis.call('HGETALL', KEYS[5]), redis.call('HGETALL', KEYS[6]), from or '',
  sealed, whole, first_whole, head_kept, head_first, straddling, straddling_bytes}
