-- One watcher's round of coordination: renews its heartbeat, counts the live
-- watchers, then renews the rule leases it holds and takes free ones up to
-- its share of the rules (ceil(rules / live watchers)); a lease held beyond
-- the share is given up, so that a watcher that joins gets rules from those
-- that held them all. Times are the server's, so watchers whose clocks
-- disagree still agree on who is alive.
--
-- KEYS[1]     heartbeats   <prefix>{alert}:watchers  (watcher -> expiry ms)
-- KEYS[2..n]  rule leases  <prefix>{alert}:lease:<rule>  (value: the watcher)
-- ARGV[1]     the watcher's id
-- ARGV[2]     lease time in ms
-- returns     the indexes (1-based, among the lease keys) it holds now
--! include server_time
local me, ttl = ARGV[1], tonumber(ARGV[2])
local now = server_ms()
redis.call('ZADD', KEYS[1], now + ttl, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local live = math.max(1, redis.call('ZCARD', KEYS[1]))
local rules = #KEYS - 1
local share = math.ceil(rules / live)
local held, free = {}, {}
for i = 1, rules do
  local key = KEYS[i + 1]
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
  redis.call('SET', KEYS[i + 1], me, 'PX', ttl)
  held[#held + 1] = i
end
return held
