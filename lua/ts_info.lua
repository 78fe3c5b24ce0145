-- Reads what Store::info reports, in one step.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- KEYS[5]  labels hash    <prefix>ts:{NAME}:labels
-- KEYS[6]  rules hash     <prefix>ts:{NAME}:rules
-- returns  {metadata as HGETALL, head bytes (16 per sample), chunks, memory bytes of
--          every key of the series, labels as HGETALL, rules as HGETALL};
--          error 'NOSERIES' when the series does not exist
local meta = KEYS[1]
local fields = redis.call('HGETALL', meta)
if #fields == 0 then
  return redis.error_reply('NOSERIES no such series')
end
local function memory(key)
  return redis.call('MEMORY', 'USAGE', key, 'SAMPLES', 0) or 0
end
local bytes = memory(meta) + memory(KEYS[2]) + memory(KEYS[3]) + memory(KEYS[4]) + memory(KEYS[5]) + memory(KEYS[6])
local ids = redis.call('ZRANGE', KEYS[3], 0, -1)
for _, id in ipairs(ids) do
  bytes = bytes + memory(meta .. ':c:' .. id)
end
return {fields, redis.call('STRLEN', KEYS[2]), #ids, bytes, redis.call('HGETALL', KEYS[5]),
  redis.call('HGETALL', KEYS[6])}
