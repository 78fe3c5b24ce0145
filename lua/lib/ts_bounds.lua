-- Where a series' samples begin and end.
--
-- kept_from(floor, last, retention): the oldest timestamp the series still
-- keeps, or nil when it keeps everything. Samples before it were dropped by
-- retention: reads never return them, counts never include them and adds
-- older than it are refused. It is the newest sample minus the retention,
-- but never below the 'floor' field, which persist_floor writes whenever
-- 'last' may fall (a delete) or the retention changes: lowering either does
-- not bring dropped samples back.
local function kept_from(floor, last, retention)
  floor, last, retention = tonumber(floor), tonumber(last), tonumber(retention)
  if retention and retention > 0 and last then
    local by_retention = last - retention
    if not floor or by_retention > floor then
      return by_retention
    end
  end
  return floor
end

-- kept_from of the series whose metadata hash is `meta`, read from it.
local function series_kept_from(meta)
  local state = redis.call('HMGET', meta, 'floor', 'last', 'ret')
  return kept_from(state[1], state[2], state[3])
end

-- Writes the series' current kept_from into 'floor', before 'last' or the
-- retention change.
local function persist_floor(meta)
  local from = series_kept_from(meta)
  if from then
    redis.call('HSET', meta, 'floor', from)
  end
end

-- refresh_bounds(meta, head, chunks, summary): sets the series' 'first',
-- 'last' and 'nw' from what it now holds (after samples were deleted, or a
-- sealed chunk rewritten), or removes them when the series is empty. 'first' may name a sample older than
-- kept_from that has not been freed yet.
local function refresh_bounds(meta, head_key, chunks_key, summary_key)
  persist_floor(meta)
  local first, last = nil, nil
  local head = redis.call('GET', head_key) or ''
  local oldest = redis.call('ZRANGE', chunks_key, 0, 0, 'WITHSCORES')
  if oldest[1] then
    first = oldest[2]
  elseif #head > 0 then
    first = struct.unpack('<i8', head)
  end
  if #head > 0 then
    last = struct.unpack('<i8', head, #head - 15)
  else
    local newest = redis.call('ZRANGE', chunks_key, -1, -1)[1]
    if newest then
      local _
      _, last = struct.unpack('<i8i8', redis.call('HGET', summary_key, newest))
    end
  end
  if first then
    redis.call('HSET', meta, 'first', first, 'last', last)
  else
    redis.call('HDEL', meta, 'first', 'last')
  end
  -- 'nw' is kept only while the head holds the newest sample and retention
  -- keeps it (a delete of the newest samples can leave only records older
  -- than the floor, which reads no longer return); otherwise mget reads the
  -- newest chunk as latest() does.
  local kept = series_kept_from(meta)
  if #head > 0 and not (kept and last and tonumber(last) < kept) then
    redis.call('HSET', meta, 'nw', string.sub(head, -16))
  else
    redis.call('HDEL', meta, 'nw')
  end
end
