-- The owner ids (host/pid/thread) that hold one lock name and must all let
-- go before a waiter can get it: its exclusive, fair or write holder, and
-- every live reader. Deadlock detection follows "waits for NAME -> held by"
-- through all of them, so a writer blocked by a reader that waits in turn is
-- part of the wait-for graph. Semaphore permits are left out: a waiter for a
-- permit needs any one of them, so one blocked holder makes no deadlock.
-- Reads only.
--
-- KEYS[1]  holder hash    <prefix>lock:{name}                   field owner
-- KEYS[2]  readers zset   <prefix>lock:{name}:readers           token -> lease expiry (server ms)
-- KEYS[3]  owners hash    <prefix>lock:{name}:readers:owners    token -> JSON with owner
-- returns  the owner ids, one per holder (a reader recorded without an owner
--          id is left out)
--! include server_time
local out = {}
local holder = redis.call('HGET', KEYS[1], 'owner')
if holder then
  out[#out + 1] = holder
end
local now = server_ms()
local live = redis.call('ZRANGEBYSCORE', KEYS[2], live_from(now), '+inf')
for _, token in ipairs(live) do
  local details = redis.call('HGET', KEYS[3], token)
  if details then
    local owner = cjson.decode(details).owner
    if type(owner) == 'string' then
      out[#out + 1] = owner
    end
  end
end
return out
