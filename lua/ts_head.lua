-- Reads a series' head for sealing, with the counter that ts_seal checks.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- returns  {gen, head bytes}; error 'NOSERIES' when the series does not exist
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then
  return redis.error_reply('NOSERIES no such series')
end
return {gen, redis.call('GET', KEYS[2]) or ''}
