-- Stores an alert rule: its hash replaced whole and its name in the set of
-- rules, in one step, so a reader never sees half a rule.
--
-- KEYS[1]  rule hash   <prefix>{alert}:rule:<name>
-- KEYS[2]  rule names  <prefix>{alert}:rules
-- ARGV[1]  'replace' to overwrite an existing rule, 'add' to refuse it
-- ARGV[2]  the rule's name
-- ARGV[3..] field, value, field, value, ... (src/alert/alert_rule_fields.cpp)
-- returns  1 stored; error 'EXISTS' when the rule exists and ARGV[1] is 'add'
if ARGV[1] ~= 'replace' and redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('EXISTS alert rule exists')
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('SADD', KEYS[2], ARGV[2])
return 1
