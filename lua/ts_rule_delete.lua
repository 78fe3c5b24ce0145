-- Removes a compaction rule; both series and their samples stay.
--
-- KEYS[1]  source metadata       <prefix>ts:{SRC}
-- KEYS[2]  source rules hash     <prefix>ts:{SRC}:rules
-- KEYS[3]  destination metadata  <prefix>ts:{DST}
-- ARGV[1]  destination name
-- returns  1 removed, 0 no such rule
if redis.call('HDEL', KEYS[2], ARGV[1]) == 0 then
  return 0
end
redis.call('HINCRBY', KEYS[1], 'nrules', -1)
redis.call('HDEL', KEYS[3], 'src')
return 1
