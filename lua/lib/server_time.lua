-- server_ms() / server_us(): the server's clock in whole milliseconds /
-- microseconds. Every expiry, lease end and wait time is on this one clock,
-- never a caller's, so clients whose clocks disagree still agree on who holds
-- what.
local function server_ms()
  local t = redis.call('TIME')
  return t[1] * 1000 + math.floor(t[2] / 1000)
end

local function server_us()
  local t = redis.call('TIME')
  return t[1] * 1000000 + t[2]
end

-- A ZCOUNT / ZRANGEBYSCORE minimum taking only scores after `now`: the
-- entries (leases, intents) still live then.
local function live_from(now)
  return '(' .. string.format('%d', now)
end
