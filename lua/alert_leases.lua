-- Renews the rule leases a watcher holds and takes free ones, up to its
-- share of the rules; a lease held beyond the share is given up, so that a
-- watcher that joins gets rules from those that held them all.
--
-- KEYS[1..n]  rule leases  <prefix>{alert}:lease:<rule>  (value: the watcher)
-- ARGV[1]     the watcher's id
-- ARGV[2]     lease time in ms
-- ARGV[3]     the share: how many leases the watcher may hold
-- returns     the indexes (1-based) of the leases it holds now
local me, ttl, share = ARGV[1], ARGV[2], tonumber(ARGV[3])
local held, free = {}, {}
for i, key in ipairs(KEYS) do
  local owner = redis.call('GET', key)
  if owner == me then
    if #held < share then
      redis.call('PEXPIRE', key, ttl)
      held[#held + 1] = i
    else
      redis.call('DEL', key)
    end
  elseif not owner then
    free[#free + 1] = i
  end
end
for _, i in ipairs(free) do
  if #held >= share then
    break
  end
  redis.call('SET', KEYS[i], me, 'PX', ttl)
  held[#held + 1] = i
end
return held
