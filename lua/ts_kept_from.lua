-- A series' newest timestamp and the oldest it keeps (lib/ts_bounds.lua),
-- for an add call about to store samples without ts_add (which reports what
-- it judged by): the bulk path.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- returns  {newest timestamp or '', kept_from or '' when the series keeps
--          everything}; error 'NOSERIES' when the series does not exist
--! include ts_bounds
local state = redis.call('HMGET', KEYS[1], 'v', 'floor', 'last', 'ret')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
return {state[3] or '', kept_from(state[2], state[3], state[4]) or ''}
