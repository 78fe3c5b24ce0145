-- Reads one page of a series for a range query: the sealed chunks that may
-- hold samples in [lo, hi] and, on the last page, the head. The client
-- decodes and filters; a query over many chunks takes several pages.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  summaries      <prefix>ts:{NAME}:summary
-- ARGV[1]  'forward': pages run from lo upwards; the first chunk of a page
--          is the one holding lo.  'reverse': from hi downwards; the head
--          comes in the first page.
-- ARGV[2]  lo, ARGV[3] hi: inclusive timestamps
-- ARGV[4]  at most this many chunks per page
-- ARGV[5]  reverse: '1' to include the head in this page
-- returns  {last timestamp or '', kept_from (lib/ts_bounds.lua) or '', more (1: call again past
--          this page), head bytes or '', {id, first timestamp, summary} of
--          each chunk flattened, chunk bytes, ...}: the client checks each
--          chunk against its index entry and summary
--          error 'NOSERIES' when the series does not exist
--! include ts_bounds
local meta = KEYS[1]
local state = redis.call('HMGET', meta, 'v', 'last', 'ret', 'floor')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
local limit = tonumber(ARGV[4])
-- Samples dropped by retention are never returned, so chunks that hold only
-- those are not read.
local lo, hi = tonumber(ARGV[2]), tonumber(ARGV[3])
local keeps_from = kept_from(state[4], state[2], state[3])
if keeps_from and keeps_from > lo then
  lo = keeps_from
end
local ids = {}
local firsts = {}
local more = 0
local with_head = false
if ARGV[1] == 'forward' then
  local holder = redis.call('ZREVRANGEBYSCORE', KEYS[3], lo, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
  if holder[1] then
    ids[1], firsts[1] = holder[1], holder[2]
  end
  local rest = redis.call('ZRANGEBYSCORE', KEYS[3], string.format('(%d', lo), hi, 'WITHSCORES', 'LIMIT', 0, limit)
  for i = 1, #rest, 2 do
    ids[#ids + 1] = rest[i]
    firsts[#ids] = rest[i + 1]
  end
  if #rest == 2 * limit then
    more = 1
  else
    with_head = true
  end
else
  local found = redis.call('ZREVRANGEBYSCORE', KEYS[3], hi, '-inf', 'WITHSCORES', 'LIMIT', 0, limit)
  local reached_lo = false
  for i = 1, #found, 2 do
    ids[#ids + 1] = found[i]
    firsts[#ids] = found[i + 1]
    if tonumber(found[i + 1]) <= lo then
      reached_lo = true
      break
    end
  end
  if not reached_lo and #found == 2 * limit then
    more = 1
  end
  with_head = ARGV[5] == '1'
end
local facts = {}
for i = 1, #ids do
  facts[#facts + 1] = ids[i]
  facts[#facts + 1] = firsts[i]
  facts[#facts + 1] = redis.call('HGET', KEYS[4], ids[i]) or ''
end
local reply = {state[2] or '', keeps_from or '', more, '', facts}
if with_head then
  reply[4] = redis.call('GET', KEYS[2]) or ''
end
for i = 1, #ids do
  reply[#reply + 1] = redis.call('GET', meta .. ':c:' .. ids[i]) or ''
end
return reply
