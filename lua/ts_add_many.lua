-- ts_add's common case for many series in one call: a series' records are
-- all newer than its newest sample (and its floor) and it has no compaction
-- rules, so they are appended to its head, as ts_add would. Every other
-- series (older records, rules, a missing series, a head that is not a whole
-- number of records) is left exactly as it was and answered 0: the client
-- sends it through ts_add, which handles all of that. One call then costs
-- the server one script start for many series instead of one per series.
--
-- The keys of many series are not on one cluster slot: on a cluster the
-- caller groups series by slot (DESIGN.md's hash-tag rule).
--
-- KEYS     two per series: metadata hash <prefix>ts:{NAME}, head string
--          <prefix>ts:{NAME}:head
-- ARGV     per series: its records in the head's format, timestamps
--          increasing
-- returns  per series: {head records due for sealing or 0, the timestamp
--          records were judged against or ''} as ts_add answers an append,
--          or 0 (untouched)
--! include ts_bounds
--! include ts_append
local out = {}
for i = 1, #KEYS, 2 do
  local meta, head_key, records = KEYS[i], KEYS[i + 1], ARGV[(i + 1) / 2]
  local state = redis.call('HMGET', meta, 'v', 'last', 'nrules', 'ret', 'floor', 'tail')
  local first_new = struct.unpack('<i8', records)
  local last, floor = tonumber(state[2]), tonumber(state[5])
  local answer = 0
  if state[1] and tonumber(state[3] or '0') == 0 and appends_cleanly(first_new, last, floor) then
    -- A torn head is left as it was, for ts_add to report.
    local count = append_records(meta, head_key, records, last, first_new)
    if count then
      answer = {seal_due(count, state[6] ~= false), kept_from(floor, last, tonumber(state[4])) or ''}
    end
  end
  out[#out + 1] = answer
end
return out
