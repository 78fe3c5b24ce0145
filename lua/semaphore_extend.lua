-- Extends a permit's lease the caller still holds to a new time-to-live from now.
--
-- KEYS[1]  permits zset   <prefix>lock:{name}:permits          token -> lease expiry (server ms)
-- KEYS[2]  owners hash    <prefix>lock:{name}:permits:owners   token -> JSON owner details
-- ARGV[1]  token
-- ARGV[2]  ttl in milliseconds
-- returns  1 extended, 0 our lease expired and other permits are held, -1 our
--          lease expired and no permit is held
--! include lock_durations
--! include leases
local refused = bad_durations({{ARGV[2], 'ttl'}})
if refused then return refused end
local now = server_ms()
return extend_lease(KEYS[1], KEYS[2], ARGV[1], ARGV[2], now, function()
  return any_live_lease(KEYS[1], now)
end)
