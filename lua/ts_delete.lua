-- Deletes a series: its chunks, head, metadata, labels and index entries.
-- Costs one DEL per chunk.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- KEYS[5]  labels hash    <prefix>ts:{NAME}:labels
-- KEYS[6]  series set     <prefix>{ts-index}:series
-- KEYS[7]  rules hash     <prefix>ts:{NAME}:rules
-- KEYS[8]  sketches zset  <prefix>ts:{NAME}:sketch
-- ARGV[1]  series name
-- ARGV[2]  index key prefix <prefix>{ts-index}:
-- ARGV[3]  key prefix, to reach the series at the other end of its rules
--          (<prefix>ts:{OTHER})
-- returns  1 deleted, 0 no such series, error 'WRONGTYPE' when KEYS[1] is not
--          a hash
-- Rules go with the series: its destinations lose their source, its source
-- loses the rule.
--! include ts_label_index
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 0 then
  return 0
end
-- Someone else's key, not a series: leave it alone.
if redis.call('TYPE', meta).ok ~= 'hash' then
  return redis.error_reply('WRONGTYPE the metadata key holds another type')
end
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  redis.call('DEL', meta .. ':c:' .. id)
end
index_labels(ARGV[2], ARGV[1], redis.call('HGETALL', KEYS[5]), 1, 'SREM')
redis.call('SREM', KEYS[6], ARGV[1])
for _, destination in ipairs(redis.call('HKEYS', KEYS[7])) do
  redis.call('HDEL', ARGV[3] .. 'ts:{' .. destination .. '}', 'src')
end
local source = redis.call('HGET', meta, 'src')
if source then
  local source_meta = ARGV[3] .. 'ts:{' .. source .. '}'
  if redis.call('HDEL', source_meta .. ':rules', ARGV[1]) == 1 then
    redis.call('HINCRBY', source_meta, 'nrules', -1)
  end
end
redis.call('DEL', meta, KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[7], KEYS[8])
return 1
