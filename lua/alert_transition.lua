-- Records one alert instance's state change, provided its state is still
-- the one the evaluator read: of several evaluators deciding the same
-- change, one records it (and notifies), the others learn they lost.
--
-- KEYS[1]  instance states  <prefix>{alert}:state:<rule>  (series -> state)
-- KEYS[2]  history stream   <prefix>{alert}:history
-- KEYS[3]  the rule          <prefix>{alert}:rule:<rule>  (a rule removed
--          meanwhile records nothing: its state must not come back)
-- ARGV[1]  the series
-- ARGV[2]  the state as read ('' : none stored)
-- ARGV[3]  the new state ('' : inactive, the entry is removed)
-- ARGV[4]  '1' to append a history entry, '' when only the state changes
-- ARGV[5]  history length to keep (approximately)
-- ARGV[6..] history entry fields and values, with the event
-- returns  1 recorded, 0 the state had changed (or the rule gone) meanwhile
if redis.call('EXISTS', KEYS[3]) == 0 then
  return 0
end
local stored = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if stored ~= ARGV[2] then
  return 0
end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
if ARGV[4] ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', unpack(ARGV, 6))
end
return 1
