-- Reads the sealed chunk where a timestamp belongs (the one whose first
-- timestamp is the greatest not above it, else the first chunk), so the
-- client can rewrite it with ts_chunk_put.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[3]  summaries      <prefix>ts:{NAME}:summary
-- ARGV[1]  the timestamp
-- ARGV[2]  the newest timestamp of the add call placing it (absent: a
--          delete reads the chunk)
-- returns  {gen, chunk id, chunk bytes, policy, kept_from (lib/ts_bounds.lua)
--          counting ARGV[2] as stored, or '', the chunk's first timestamp
--          (index score), its summary},
--          {gen} when the series has no chunk;
--          error 'NOSERIES' when the series does not exist
--! include ts_bounds
local state = redis.call('HMGET', KEYS[1], 'gen', 'dup', 'ret', 'last', 'floor')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
local id = redis.call('ZREVRANGEBYSCORE', KEYS[2], ARGV[1], '-inf', 'LIMIT', 0, 1)[1]
if not id then
  id = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
end
if not id then
  return {state[1]}
end
local newest = tonumber(state[4])
if ARGV[2] and (not newest or tonumber(ARGV[2]) > newest) then
  newest = tonumber(ARGV[2])
end
return {state[1], id, redis.call('GET', KEYS[1] .. ':c:' .. id) or '', state[2] or 'block',
  kept_from(state[5], newest, state[3]) or '', redis.call('ZSCORE', KEYS[2], id), redis.call('HGET', KEYS[3], id) or ''}
