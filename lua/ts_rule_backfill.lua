-- Lowers a compaction rule's SINCE (lib/ts_rules.lua) to the first bucket a
-- backfill is about to fill, so that from now on a late sample in the
-- backfilled range recomputes its bucket as it would above SINCE. Refused
-- when SINCE is no longer what the client read (another backfill moved it).
--
-- KEYS[1]  source rules hash  <prefix>ts:{SRC}:rules
-- ARGV[1]  destination name
-- ARGV[2]  the SINCE the client read
-- ARGV[3]  the new SINCE, a bucket start below it
-- returns  1 lowered; 0 SINCE moved meanwhile; error 'NORULE' when the source
--          has no rule to that destination
--! include ts_rules
local text = redis.call('HGET', KEYS[1], ARGV[1])
if not text then
  return redis.error_reply('NORULE no such rule')
end
local aggregator, width, align, open, since = parse_rule(text)
if not since or since ~= tonumber(ARGV[2]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], format_rule(aggregator, width, align, open, tonumber(ARGV[3])))
return 1
