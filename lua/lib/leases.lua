-- Leases, as read locks and semaphore permits keep them: a zset scoring each
-- token with its lease's end on the server's clock, and a hash holding each
-- token's owner record (JSON {host, pid, label, owner, fence, acquired_at,
-- ttl}). A lease is live while its score is after now; scores are the only
-- truth, so an expired lease that is still stored never counts anywhere.
--! include server_time
--! include lock_outcomes

-- Both keys expire with the latest lease, so the owner records never outlive
-- the leases they describe.
local function settle_leases(leases, owners)
  local last = redis.call('ZRANGE', leases, -1, -1, 'WITHSCORES')
  if #last > 0 then
    redis.call('PEXPIREAT', leases, last[2])
    redis.call('PEXPIREAT', owners, last[2])
  end
end

-- Drops expired leases, at most 100 per call so the script stays short; the
-- rest wait for a later call (they never count, see above).
local function prune_leases(leases, owners, now)
  local dead = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, 100)
  if #dead > 0 then
    redis.call('ZREM', leases, unpack(dead))
    redis.call('HDEL', owners, unpack(dead))
  end
end

local function drop_lease(leases, owners, token)
  redis.call('ZREM', leases, token)
  redis.call('HDEL', owners, token)
  settle_leases(leases, owners)
end

local function any_live_lease(leases, now)
  return redis.call('ZCOUNT', leases, live_from(now), '+inf') > 0
end

-- The owner record of token's lease if that lease is live at `now`, else
-- nil: an expired lease is never renewed, however long it waits for pruning.
local function live_owner(leases, owners, token, now)
  local expiry = redis.call('ZSCORE', leases, token)
  if not expiry or tonumber(expiry) <= now then
    return nil
  end
  local record = redis.call('HGET', owners, token)
  if not record then
    return nil
  end
  return cjson.decode(record)
end

-- Moves a live lease's end to now + ttl (ttl: the caller's text, checked) and
-- records that ttl; `owner` is its record from live_owner.
local function renew_lease(leases, owners, token, owner, ttl, now)
  owner.ttl = ttl
  redis.call('ZADD', leases, now + tonumber(ttl), token)
  redis.call('HSET', owners, token, cjson.encode(owner))
  settle_leases(leases, owners)
end

-- The start of an acquire script: drops expired leases, then answers a retry
-- (our own request again, after a lost reply) while token's lease is live by
-- renewing it. Returns that lease's fence, or nil when token holds no live
-- lease.
local function renew_if_retried(leases, owners, token, ttl, now)
  prune_leases(leases, owners, now)
  local mine = live_owner(leases, owners, token, now)
  if not mine then
    return nil
  end
  renew_lease(leases, owners, token, mine, ttl, now)
  return tonumber(mine.fence)
end

-- A new lease for token, ending at now + ttl, with fence `fence`.
local function grant_lease(leases, owners, token, ttl, now, fence, host, pid, label, owner_id)
  redis.call('ZADD', leases, now + tonumber(ttl), token)
  redis.call('HSET', owners, token, cjson.encode({
    host = host, pid = pid, label = label, owner = owner_id, fence = tostring(fence),
    acquired_at = string.format('%d', now), ttl = ttl}))
  settle_leases(leases, owners)
end

-- The extend scripts' answer: 1 when token's lease was live and now ends at
-- now + ttl; otherwise its stored remains are dropped (it is gone, whatever
-- we say, and may already be counted by someone else's acquisition), and 0
-- when held_by_others() is true, -1 when nobody holds the lock.
local function extend_lease(leases, owners, token, ttl, now, held_by_others)
  local owner = live_owner(leases, owners, token, now)
  if owner then
    renew_lease(leases, owners, token, owner, ttl, now)
    return 1
  end
  if redis.call('ZSCORE', leases, token) then
    drop_lease(leases, owners, token)
  end
  return lost_answer(held_by_others)
end

-- The release scripts' answer. 1: token's lease was live and has ended;
-- on_released() then runs (the caller's wake-up) and the token joins
-- `released`, the last 64 tokens released within a minute, so a retry after a
-- lost reply also gets 1. Otherwise 0 when held_by_others() is true, -1 when
-- nobody holds the lock.
local function release_lease(leases, owners, released, token, now, on_released, held_by_others)
  local expiry = redis.call('ZSCORE', leases, token)
  if expiry then
    drop_lease(leases, owners, token)
    if tonumber(expiry) > now then
      redis.call('ZADD', released, now, token)
      redis.call('ZREMRANGEBYRANK', released, 0, -65)
      redis.call('PEXPIRE', released, 60000)
      on_released()
      return 1
    end
  end
  if redis.call('ZSCORE', released, token) then
    return 1
  end
  return lost_answer(held_by_others)
end
