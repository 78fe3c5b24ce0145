-- Starts a rule's backfill: lowers its SINCE (lib/ts_rules.lua) to the first
-- bucket the backfill is about to fill, so that from now on a late sample in
-- the backfilled range recomputes its bucket as it would above SINCE, and
-- records the SINCE it had in the source's metadata (field 'fill:<DST>')
-- until the backfill is over: a backfill that stopped part way, or one that
-- another started meanwhile, is resumed from it. Refused when SINCE is no
-- longer what the client read.
--
-- KEYS[1]  source rules hash  <prefix>ts:{SRC}:rules
-- KEYS[2]  source metadata    <prefix>ts:{SRC}
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
redis.call('HSET', KEYS[2], 'fill:' .. ARGV[1], ARGV[2])
return 1
