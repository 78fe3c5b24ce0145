-- Compaction rules of a series live in <prefix>ts:{NAME}:rules, one field per
-- destination series: "AGGREGATOR BUCKET_MS ALIGN [OPEN [SINCE]]".
--   OPEN   the start of the newest bucket seen so far (absent before the
--          rule's first sample). Buckets before OPEN are closed: their
--          aggregate belongs in the destination.
--   SINCE  the first bucket the rule covers: the bucket that held the
--          source's newest sample when the rule was created. Absent when the
--          source was empty then: the rule covers every bucket. Older
--          buckets are never written, late samples or not.
--
-- rule_updates(rules_key, oldest, newest, reply, changed, kept): samples in
-- [oldest, newest] changed the series; `changed`, when not nil, lists their
-- timestamps in increasing order (otherwise every bucket between oldest and
-- newest counts as changed); `kept` is the series' kept_from after the
-- change (lib/ts_bounds.lua), or ''. Moves each rule's OPEN forward to
-- newest's bucket and appends to `reply`, per rule and per run of buckets
-- to (re)compute from the source and store in the destination: destination,
-- aggregator, bucket width, align, first bucket start, last bucket start,
-- kept (buckets reaching below it keep their destination value).
-- Late samples (before OPEN) ask for their own buckets again, one run per
-- group of adjacent buckets; a bucket that just closed asks for its first
-- computation.
--
-- deleted_updates(rules_key, lo, hi, reply, kept): samples in [lo, hi] were
-- deleted; appends the closed buckets they touched, in the same form, for
-- the client to compute again (a bucket left empty loses its sample).
local function bucket_start(t, width, align)
  return t - ((t - align) % width)
end

local function parse_rule(text)
  local aggregator, width, align, open, since =
    string.match(text, '^(%S+) (%d+) (%-?%d+) ?(%-?%d*) ?(%-?%d*)$')
  return aggregator, tonumber(width), tonumber(align), tonumber(open), tonumber(since)
end

local function format_rule(aggregator, width, align, open, since)
  local text = string.format('%s %d %d', aggregator, width, align)
  if open then
    text = text .. string.format(' %d', open)
    if since then
      text = text .. string.format(' %d', since)
    end
  end
  return text
end

local function append_update(reply, destination, aggregator, width, align, first, last, kept)
  reply[#reply + 1] = destination
  reply[#reply + 1] = aggregator
  reply[#reply + 1] = width
  reply[#reply + 1] = align
  reply[#reply + 1] = first
  reply[#reply + 1] = last
  reply[#reply + 1] = kept
end

-- Appends the runs of adjacent buckets in [since, open) that the sorted
-- timestamps `changed` fall in.
local function late_runs(reply, destination, aggregator, width, align, open, since, changed, kept)
  local first, last = nil, nil
  for _, t in ipairs(changed) do
    if t >= open then
      break
    end
    local bucket = bucket_start(t, width, align)
    if not since or bucket >= since then
      if last and bucket <= last + width then
        last = bucket
      else
        if first then
          append_update(reply, destination, aggregator, width, align, first, last, kept)
        end
        first, last = bucket, bucket
      end
    end
  end
  if first then
    append_update(reply, destination, aggregator, width, align, first, last, kept)
  end
end

local function rule_updates(rules_key, oldest, newest, reply, changed, kept)
  local rules = redis.call('HGETALL', rules_key)
  for i = 1, #rules, 2 do
    local aggregator, width, align, open, since = parse_rule(rules[i + 1])
    local newest_bucket = bucket_start(newest, width, align)
    if open and oldest < open then
      if changed then
        late_runs(reply, rules[i], aggregator, width, align, open, since, changed, kept)
      else
        local first_late = bucket_start(oldest, width, align)
        if since and first_late < since then
          first_late = since
        end
        local last_late = math.min(newest_bucket, open - width)
        if first_late <= last_late then
          append_update(reply, rules[i], aggregator, width, align, first_late, last_late, kept)
        end
      end
    end
    -- Before its first sample a rule's open bucket is the oldest new one.
    local closing = open or bucket_start(oldest, width, align)
    if newest_bucket > closing then
      append_update(reply, rules[i], aggregator, width, align, closing, newest_bucket - width, kept)
    end
    if not open or newest_bucket > open then
      redis.call('HSET', rules_key, rules[i], format_rule(aggregator, width, align, newest_bucket, since))
    end
  end
end

local function deleted_updates(rules_key, lo, hi, reply, kept)
  local rules = redis.call('HGETALL', rules_key)
  for i = 1, #rules, 2 do
    local aggregator, width, align, open, since = parse_rule(rules[i + 1])
    if open then
      local first = bucket_start(lo, width, align)
      if since and first < since then
        first = since
      end
      local last = math.min(bucket_start(hi, width, align), open - width)
      if first <= last then
        append_update(reply, rules[i], aggregator, width, align, first, last, kept)
      end
    end
  end
end
