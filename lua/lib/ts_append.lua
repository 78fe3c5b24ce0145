-- Appending to a series' head: the common case of every add, shared by
-- ts_add and ts_add_many.

-- True when every record (timestamps increasing, the first first_new) may
-- simply be appended: all are newer than the series' newest sample `last`
-- and not below its stored floor (after a delete of the newest samples,
-- 'last' may lie below what retention dropped).
local function appends_cleanly(first_new, last, floor)
  return (not last or first_new > last) and (not floor or first_new >= floor)
end

-- Appends the records to the head and moves the series' 'last' and 'nw'
-- (and 'first' for its first sample). Returns the head's length in records and the newest
-- timestamp; or nil and the head's length in bytes when the head was not a
-- whole number of records, in which case the records are taken back out and
-- nothing has changed.
local function append_records(meta, head_key, records, last, first_new)
  local length = redis.call('APPEND', head_key, records)
  if length % 16 ~= 0 then
    local torn = length - #records
    if torn == 0 then
      redis.call('DEL', head_key)
    else
      redis.call('SET', head_key, redis.call('GETRANGE', head_key, 0, torn - 1))
    end
    return nil, torn
  end
  local last_new = struct.unpack('<i8', records, #records - 15)
  local newest = string.sub(records, -16)
  if last then
    redis.call('HSET', meta, 'last', last_new, 'nw', newest)
  else
    redis.call('HSET', meta, 'last', last_new, 'first', first_new, 'nw', newest)
  end
  return length / 16, last_new
end

-- The head records due for sealing after an add that left `count` in the
-- head: all but the newest once they reach 512 (limits::kHeadSealSamples), or 64
-- (limits::kFirstSealSamples) while the series has no sealed chunk, so a
-- small series is compressed early instead of keeping hundreds of raw
-- 16-byte records; 0 while none are due. The client seals when it is not 0.
local function seal_due(count, has_chunk)
  if count >= 512 or (not has_chunk and count >= 64) then
    return count
  end
  return 0
end
