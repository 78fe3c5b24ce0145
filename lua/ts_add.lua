-- Adds samples to a series. Samples newer than the newest are appended to the
-- head (the common case: one APPEND); older ones are placed inside the head,
-- or reported back when they belong in a sealed chunk, which the client
-- decodes, rewrites and stores with ts_chunk_put.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME}
-- KEYS[2]  head string    <prefix>ts:{NAME}:head  (16-byte records: int64
--          timestamp, double value, little-endian, timestamps increasing)
-- KEYS[3]  chunk index    <prefix>ts:{NAME}:chunks
-- KEYS[4]  rules hash     <prefix>ts:{NAME}:rules
-- ARGV[1]  records to add, in the head's format, timestamps increasing
-- ARGV[2]  duplicate policy for this call, or '' for the series' own
-- ARGV[3]  refuse records older than this timestamp; '' for the series'
--          kept_from (lib/ts_bounds.lua) as this script starts. A call that
--          takes several scripts passes the first one's, so a record is
--          judged against what the series kept before the call.
-- ARGV[4]  the newest timestamp of the whole call ('' : of these records).
--          A record older than what the series keeps counting it is
--          dropped without further checks: the call's own newer samples
--          push it out of retention, whatever order the records arrive in.
-- returns  {head records due for sealing or 0 (seal_due, lib/ts_append.lua),
--          the timestamp records were judged against or '' (none)}, followed
--          by an outcome per record unless every record was newer than the
--          series (then all were stored), where an outcome is
--            1  stored (inserted, or merged by the duplicate policy)
--            0  dropped: by the policy 'first', or older than the series
--               now keeps (but not older than ARGV[3])
--           -1  refused: a sample with this timestamp exists (policy block)
--           -2  refused: older than the series' retention keeps
--           -3  not placed: it belongs in a sealed chunk
--          A series with compaction rules always gets the array form,
--          followed by rule_updates' entries (lib/ts_rules.lua).
--          error 'NOSERIES' when the series does not exist; error
--          'CORRUPTHEAD' (nothing changed) when the head is not a whole
--          number of records
--! include ts_rules
--! include ts_bounds
--! include ts_append
local meta, head_key, records = KEYS[1], KEYS[2], ARGV[1]
local state = redis.call('HMGET', meta, 'v', 'last', 'nrules', 'ret', 'floor', 'tail')
if not state[1] then
  return redis.error_reply('NOSERIES no such series')
end
local has_rules = tonumber(state[3] or '0') > 0
local first_new = struct.unpack('<i8', records)
local last = tonumber(state[2])
local floor, retention = tonumber(state[5]), tonumber(state[4])
local judge = kept_from(floor, last, retention)
if ARGV[3] ~= '' then
  judge = tonumber(ARGV[3])
end
if appends_cleanly(first_new, last, floor) then
  local count, last_new = append_records(meta, head_key, records, last, first_new)
  if not count then
    -- A torn head: the records were taken back out rather than misaligned.
    return redis.error_reply('CORRUPTHEAD head of ' .. last_new .. ' bytes')
  end
  local due = seal_due(count, state[6] ~= false)
  if not has_rules then
    return {due, judge or ''}
  end
  local reply = {due, judge or ''}
  for _ = 1, #records / 16 do
    reply[#reply + 1] = 1
  end
  rule_updates(KEYS[4], first_new, last_new, reply, nil, kept_from(floor, last_new, retention) or '')
  return reply
end

-- Slow path: at least one record is not newer than the series.
local settings = redis.call('HMGET', meta, 'dup', 'first')
local policy = ARGV[2]
if policy == '' then
  policy = settings[1] or 'block'  -- the default is not stored
end
local first = tonumber(settings[2])
local head = redis.call('GET', head_key) or ''
if #head % 16 ~= 0 then
  return redis.error_reply('CORRUPTHEAD head of ' .. #head .. ' bytes')
end
local has_chunks = redis.call('ZCARD', KEYS[3]) > 0
local rewritten, appended = false, false
local outcomes = {0, judge or ''}
local call_newest = tonumber(ARGV[4]) or struct.unpack('<i8', records, #records - 15)
local drop_before = kept_from(floor, math.max(last or call_newest, call_newest), retention)
local oldest_changed, newest_changed = nil, nil
local changed = {}

local function timestamp_at(index)
  return (struct.unpack('<i8', head, index * 16 + 1))
end

-- Index of the first head record whose timestamp is >= ts.
local function lower_bound(ts)
  local low, high = 0, #head / 16
  while low < high do
    local mid = math.floor((low + high) / 2)
    if timestamp_at(mid) < ts then
      low = mid + 1
    else
      high = mid
    end
  end
  return low
end

local function merged(stored, new)
  if policy == 'last' then
    return new
  elseif policy == 'min' then
    return math.min(stored, new)
  elseif policy == 'max' then
    return math.max(stored, new)
  end
  return stored + new  -- 'sum'
end

for offset = 1, #records, 16 do
  local record = string.sub(records, offset, offset + 15)
  local ts = struct.unpack('<i8', record)
  local outcome = 1
  if judge and ts < judge then
    outcome = -2
  elseif drop_before and ts < drop_before then
    outcome = 0
  elseif not last or ts > last then
    head = head .. record
    last = ts
    appended = true
  elseif #head > 0 and ts >= timestamp_at(0) or not has_chunks then
    -- Without sealed chunks the head holds everything, however old.
    local index = lower_bound(ts)
    local at = index * 16
    if index < #head / 16 and timestamp_at(index) == ts then
      if policy == 'block' then
        outcome = -1
      elseif policy == 'first' then
        outcome = 0
      else
        local value = merged(struct.unpack('<d', head, at + 9), struct.unpack('<d', record, 9))
        head = string.sub(head, 1, at + 8) .. struct.pack('<d', value) .. string.sub(head, at + 17)
        rewritten = true
      end
    else
      head = string.sub(head, 1, at) .. record .. string.sub(head, at + 1)
      rewritten = true
    end
  else
    outcome = -3
  end
  if outcome == 1 and (not first or ts < first) then
    first = ts
  end
  if outcome == 1 or outcome == -3 then
    oldest_changed = math.min(oldest_changed or ts, ts)
    newest_changed = math.max(newest_changed or ts, ts)
    changed[#changed + 1] = ts
  end
  outcomes[#outcomes + 1] = outcome
end

if rewritten or appended then
  redis.call('SET', head_key, head)
  -- The head holds the newest samples, so its last record is the newest.
  redis.call('HSET', meta, 'last', last, 'first', first, 'nw', string.sub(head, -16))
end
if rewritten then
  -- Sealing compares this counter: it must not cut a head that changed
  -- anywhere but at its end.
  redis.call('HINCRBY', meta, 'gen', 1)
end
outcomes[1] = seal_due(#head / 16, has_chunks)
if has_rules and oldest_changed then
  rule_updates(KEYS[4], oldest_changed, newest_changed, outcomes, changed, kept_from(floor, last, retention) or '')
end
return outcomes
