-- Changes a series' retention, duplicate policy or labels (keeping the label
-- index in step).
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  labels hash    <prefix>ts:{NAME}:labels
-- ARGV[1]  series name
-- ARGV[2]  index key prefix <prefix>{ts-index}:
-- ARGV[3]  new retention in ms, or '' to keep it
-- ARGV[4]  new duplicate policy, or '' to keep it
-- ARGV[5]  '1' to replace the labels by ARGV[6..] (name, value, ...)
-- returns  1; error 'NOSERIES' when the series does not exist
-- The client trims (ts_trim) after a retention change.
--! include ts_label_index
--! include ts_bounds
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOSERIES no such series')
end
if ARGV[3] ~= '' then
  -- What the old retention dropped stays dropped when it is raised.
  persist_floor(KEYS[1])
  redis.call('HSET', KEYS[1], 'ret', ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('HSET', KEYS[1], 'dup', ARGV[4])
end
if ARGV[5] == '1' then
  index_labels(ARGV[2], ARGV[1], redis.call('HGETALL', KEYS[2]), 1, 'SREM')
  redis.call('DEL', KEYS[2])
  for i = 6, #ARGV, 2 do
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  end
  index_labels(ARGV[2], ARGV[1], ARGV, 6, 'SADD')
end
return 1
