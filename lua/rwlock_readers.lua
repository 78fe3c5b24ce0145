-- Lists the live read leases of one lock for the registry. Reads only.
--
-- KEYS[1]  readers zset   <prefix>lock:{name}:readers         token -> lease expiry (server ms)
-- KEYS[2]  owners hash    <prefix>lock:{name}:readers:owners  token -> JSON owner details
-- returns  one {host, pid, label, fence, acquired_at, ttl, ttl_left} per live lease, in
--          order of expiry; numbers as strings except ttl_left (ms, integer). Leases
--          that have ended but are not yet pruned are left out.
--! include server_time
local now = server_ms()
local live = redis.call('ZRANGEBYSCORE', KEYS[1], live_from(now), '+inf', 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  local details = redis.call('HGET', KEYS[2], live[i])
  if details then
    local owner = cjson.decode(details)
    out[#out + 1] = {owner.host, owner.pid, owner.label, owner.fence, owner.acquired_at, owner.ttl,
                     tonumber(live[i + 1]) - now}
  end
end
return out
