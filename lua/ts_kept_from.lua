-- The oldest timestamp a series keeps (lib/ts_bounds.lua), for a client
-- about to compute rule buckets: a bucket that reaches below it has lost
-- samples to retention and keeps the aggregate computed while it was whole.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- returns  kept_from, or '' when the series keeps everything;
--          error 'NOSERIES' when the series does not exist
--! include ts_bounds
local state = redis.call('HMGET', KEYS[1], 'v', 'floor', 'last', 'ret')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
return kept_from(state[2], state[3], state[4]) or ''
