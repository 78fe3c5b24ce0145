-- Creates a time series: its metadata, its labels and its index entries.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  labels hash    <prefix>ts:{NAME}:labels
-- KEYS[3]  series set     <prefix>{ts-index}:series
-- ARGV[1]  series name
-- ARGV[2]  retention in ms (0: keep everything)
-- ARGV[3]  duplicate policy name
-- ARGV[4]  index key prefix <prefix>{ts-index}:  (label sets are
--          <prefix>{ts-index}:label:K=V and <prefix>{ts-index}:key:K)
-- ARGV[5]  'fail' to refuse an existing series, 'keep' to leave it as is
-- ARGV[6..] label name, value, name, value, ...
-- returns  1 created, 0 existed (with 'keep'), error 'EXISTS' (with 'fail'),
--          error 'WRONGTYPE' when KEYS[1] is not a hash
--! include ts_label_index
--! include server_time
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('TYPE', KEYS[1]).ok ~= 'hash' then
    return redis.error_reply('WRONGTYPE the metadata key holds another type')
  end
  if ARGV[5] == 'fail' then
    return redis.error_reply('EXISTS series exists')
  end
  return 0
end
-- 'gen' starts from the server's clock, not 0, so a generation read from a
-- series never matches one of a later series of the same name (deleted and
-- created again meanwhile): a seal or read checked against it refuses.
redis.call('HSET', KEYS[1], 'v', 1, 'gen', string.format('%d', server_us()), 'seq', 0, 'sealed', 0)
-- The defaults (keep everything, policy block) are left out: readers take
-- an absent field for them, and a small series' metadata stays small.
if ARGV[2] ~= '0' then
  redis.call('HSET', KEYS[1], 'ret', ARGV[2])
end
if ARGV[3] ~= 'block' then
  redis.call('HSET', KEYS[1], 'dup', ARGV[3])
end
redis.call('SADD', KEYS[3], ARGV[1])
for i = 6, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
index_labels(ARGV[4], ARGV[1], ARGV, 6, 'SADD')
return 1
