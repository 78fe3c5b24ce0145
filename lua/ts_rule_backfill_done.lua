-- Ends a rule's backfill: removes the SINCE it recorded in the source's
-- metadata (lua/ts_rule_backfill.lua), unless another backfill has recorded
-- its own since.
--
-- KEYS[1]  source metadata  <prefix>ts:{SRC}
-- ARGV[1]  the field, 'fill:<DST>'
-- ARGV[2]  the SINCE this backfill recorded or resumed
-- returns  1 removed, 0 left
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('HDEL', KEYS[1], ARGV[1])
end
return 0
