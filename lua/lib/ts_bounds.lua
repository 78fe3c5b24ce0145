-- refresh_bounds(meta, head, chunks, summary): sets the series' 'first' and
-- 'last' from what it now holds (after samples were deleted), or removes
-- them when the series is empty.
local function refresh_bounds(meta, head_key, chunks_key, summary_key)
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
end
