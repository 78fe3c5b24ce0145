-- Adds a compaction rule: from now on, each closed bucket of the source is
-- aggregated into the destination series. The rule covers the bucket that
-- holds the source's newest sample (all its samples) and every later one
-- (lib/ts_rules.lua: OPEN and SINCE start there); older buckets are not
-- compacted (until a backfill). A destination takes one rule; rules chain
-- (a destination may be the source of a coarser rule), without cycles.
--
-- KEYS[1]  source metadata       <prefix>ts:{SRC}
-- KEYS[2]  source rules hash     <prefix>ts:{SRC}:rules
-- KEYS[3]  destination metadata  <prefix>ts:{DST}
-- KEYS[4]  destination rules     <prefix>ts:{DST}:rules
-- KEYS[5..] the metadata of the source's upstream series as the client read
--          them: its source, that one's source, ... (each 'src')
-- ARGV[1]  source name, ARGV[2] destination name
-- ARGV[3]  aggregator, ARGV[4] bucket ms, ARGV[5] align
-- ARGV[6..] the names of KEYS[5..]
-- returns  1; errors 'NOSERIES <which>', 'RULE <reason>', 'CHAINMOVED' (the
--          upstream chain changed since the client read it: read it again)
--! include ts_bounds
--! include ts_rules
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('NOSERIES source')
end
if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('NOSERIES destination')
end
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
  return redis.error_reply('RULE the rule exists')
end
if redis.call('HEXISTS', KEYS[3], 'src') == 1 then
  return redis.error_reply('RULE the destination already has a source')
end
-- Every series has at most one source, so the series upstream of the source
-- form one path; the rule closes a cycle exactly when the destination is on
-- it. The path is checked link by link as it stands now.
local below = KEYS[1]
for i = 5, #KEYS do
  local name = ARGV[i + 1]
  if redis.call('HGET', below, 'src') ~= name then
    return redis.error_reply('CHAINMOVED')
  end
  if name == ARGV[2] then
    return redis.error_reply('RULE it would close a cycle: ' .. ARGV[2] .. ' is upstream of ' .. ARGV[1])
  end
  below = KEYS[i]
end
if redis.call('HEXISTS', below, 'src') == 1 then
  return redis.error_reply('CHAINMOVED')
end
local state = redis.call('HMGET', KEYS[1], 'floor', 'last', 'ret')
local last = tonumber(state[2])
local width, align = tonumber(ARGV[4]), tonumber(ARGV[5])
local text = format_rule(ARGV[3], width, align)
-- A newest sample that retention dropped (left by a delete) starts nothing.
if last and last >= (kept_from(state[1], state[2], state[3]) or last) then
  local open = bucket_start(last, width, align)
  text = format_rule(ARGV[3], width, align, open, open)
end
redis.call('HSET', KEYS[2], ARGV[2], text)
redis.call('HINCRBY', KEYS[1], 'nrules', 1)
redis.call('HSET', KEYS[3], 'src', ARGV[1])
return 1
