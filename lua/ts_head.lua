-- Reads a series' head for sealing, with the counter that ts_store_blocks
-- checks and the oldest timestamp the series keeps (records before it are
-- left out of the sealed block: retention dropped them).
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- returns  {gen, head bytes, kept_from or ''}; error 'NOSERIES' when the
--          series does not exist
--! include ts_bounds
local state = redis.call('HMGET', KEYS[1], 'gen', 'floor', 'last', 'ret')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
return {state[1], redis.call('GET', KEYS[2]) or '', kept_from(state[2], state[3], state[4]) or ''}
