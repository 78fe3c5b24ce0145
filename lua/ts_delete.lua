-- Deletes a series: its chunks, head, metadata, labels and index entries.
-- Costs one DEL per chunk.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- KEYS[5]  labels hash    <prefix>ts:{NAME}:labels
-- KEYS[6]  series set     <prefix>{ts-index}:series
-- ARGV[1]  series name
-- ARGV[2]  index key prefix <prefix>{ts-index}:
-- returns  1 deleted, 0 no such series
--! include ts_label_index
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 0 then
  return 0
end
for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
  redis.call('DEL', meta .. ':c:' .. id)
end
index_labels(ARGV[2], ARGV[1], redis.call('HGETALL', KEYS[5]), 1, 'SREM')
redis.call('SREM', KEYS[6], ARGV[1])
redis.call('DEL', meta, KEYS[2], KEYS[3], KEYS[4], KEYS[5])
return 1
