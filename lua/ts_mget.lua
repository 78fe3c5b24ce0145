-- The newest sample and the labels of many series in one call, for mget:
-- the head holds a series' newest samples in timestamp order, so its last
-- record is the newest sample, read without the rest of the head.
--
-- KEYS     two per series: head string <prefix>ts:{NAME}:head, labels hash
--          <prefix>ts:{NAME}:labels
-- returns  per series {state, record, labels flattened}, where state is
--            1  record is the head's last 16 bytes (int64 timestamp, double
--               value, little-endian)
--            0  the head is empty: the series was just sealed, or is
--               empty, or no longer exists; the client reads it the usual way
--           -1  the head is not a whole number of records
--          and record is '' unless state is 1
local out = {}
for i = 1, #KEYS, 2 do
  local length = redis.call('STRLEN', KEYS[i])
  local labels = redis.call('HGETALL', KEYS[i + 1])
  if length == 0 then
    out[#out + 1] = {0, '', labels}
  elseif length % 16 ~= 0 then
    out[#out + 1] = {-1, '', labels}
  else
    out[#out + 1] = {1, redis.call('GETRANGE', KEYS[i], -16, -1), labels}
  end
end
return out
