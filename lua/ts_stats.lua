-- Count, min, max and sum over [lo, hi] without sending every sample: chunks
-- wholly inside the range answer from their summaries (merged here); the at
-- most two chunks that straddle a bound, and the head, are sent for the
-- client to decode.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- ARGV[1]  lo, ARGV[2] hi: inclusive timestamps (lo rises to kept_from,
--          lib/ts_bounds.lua)
-- returns  {last timestamp or '', kept_from or '', merged summary of the whole
--          chunks (struct '<i8i8ddd': count, last timestamp, min, max, sum;
--          '' when none), head bytes, {id, first timestamp, summary} of
--          each straddling chunk flattened, their bytes...};
--          error 'NOSERIES' when the series does not exist
--! include ts_bounds
local meta = KEYS[1]
local state = redis.call('HMGET', meta, 'v', 'last', 'ret', 'floor')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
local lo, hi = tonumber(ARGV[1]), tonumber(ARGV[2])
local keeps_from = kept_from(state[4], state[2], state[3])
if keeps_from and keeps_from > lo then
  lo = keeps_from
end
local reply = {state[2] or '', keeps_from or '', '', redis.call('GET', KEYS[2]) or '', {}}
local candidates = {}
local holder = redis.call('ZREVRANGEBYSCORE', KEYS[3], lo, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
if holder[1] then
  candidates[1] = {holder[1], tonumber(holder[2]), holder[2]}
end
local inside = redis.call('ZRANGEBYSCORE', KEYS[3], string.format('(%d', lo), hi, 'WITHSCORES')
for i = 1, #inside, 2 do
  candidates[#candidates + 1] = {inside[i], tonumber(inside[i + 1]), inside[i + 1]}
end
local n, newest, low, high, sum = 0, 0, 0, 0, 0
for _, chunk in ipairs(candidates) do
  local packed = redis.call('HGET', KEYS[4], chunk[1])
  local count, last, min, max, total = struct.unpack('<i8i8ddd', packed)
  if chunk[2] >= lo and last <= hi then
    if n == 0 then
      low, high = min, max
    else
      low, high = math.min(low, min), math.max(high, max)
    end
    n, newest, sum = n + count, last, sum + total
  elseif last >= lo then
    local facts = reply[5]
    facts[#facts + 1] = chunk[1]
    facts[#facts + 1] = chunk[3]
    facts[#facts + 1] = packed
    reply[#reply + 1] = redis.call('GET', meta .. ':c:' .. chunk[1]) or ''
  end
end
if n > 0 then
  reply[3] = struct.pack('<i8i8ddd', n, newest, low, high, sum)
end
return reply
