-- Takes one pending history entry for an attempt at delivering it to a
-- sink, provided this watcher still holds it; the claim resets the entry's
-- idle time, which tells the other watchers it is being worked on. An entry
-- another watcher took over (ours sat idle past the lease) is left to it,
-- so the two never both deliver it.
--
-- KEYS[1]  history stream  <prefix>{alert}:history
-- ARGV[1]  the sink's consumer group
-- ARGV[2]  this watcher (the consumer)
-- ARGV[3]  the entry id
-- returns  {1, fields}  taken: deliver it
--          {0}          another watcher holds it
--          {-1}         pending for nobody: already acknowledged
--          {-2}         trimmed from the stream before delivery (now
--                       acknowledged, so it leaves the pending list)
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #pending == 0 then
  return {-1}
end
if pending[1][2] ~= ARGV[2] then
  return {0}
end
local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3])
if #claimed == 0 or not claimed[1] then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
  return {-2}
end
return {1, claimed[1][2]}
