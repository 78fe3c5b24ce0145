-- Compaction rules of a series live in <prefix>ts:{NAME}:rules, one field per
-- destination series: "AGGREGATOR BUCKET_MS ALIGN OPEN", OPEN being the start
-- of the newest bucket seen so far (empty before the first sample). Buckets
-- before OPEN are closed: their aggregate belongs in the destination.
--
-- rule_updates(rules_key, oldest, newest, reply): samples in [oldest, newest]
-- changed the series. Moves each rule's OPEN forward to newest's bucket and
-- appends to `reply`, per rule and per range of buckets to (re)compute from
-- the source and store in the destination: destination, aggregator, bucket
-- width, align, first bucket start, last bucket start. Late samples (before
-- OPEN) ask for their own buckets again; a bucket that just closed asks for
-- its first computation.
local function bucket_start(t, width, align)
  return t - ((t - align) % width)
end

local function rule_updates(rules_key, oldest, newest, reply)
  local rules = redis.call('HGETALL', rules_key)
  for i = 1, #rules, 2 do
    local aggregator, width, align, open = string.match(rules[i + 1], '^(%S+) (%d+) (%-?%d+) ?(%-?%d*)$')
    width, align, open = tonumber(width), tonumber(align), tonumber(open)
    local newest_bucket = bucket_start(newest, width, align)
    if open and oldest < open then
      local last_late = math.min(bucket_start(newest, width, align), open - width)
      reply[#reply + 1] = rules[i]
      reply[#reply + 1] = aggregator
      reply[#reply + 1] = width
      reply[#reply + 1] = align
      reply[#reply + 1] = bucket_start(oldest, width, align)
      reply[#reply + 1] = last_late
    end
    -- Before its first sample a rule's open bucket is the oldest new one.
    local closing = open or bucket_start(oldest, width, align)
    if newest_bucket > closing then
      reply[#reply + 1] = rules[i]
      reply[#reply + 1] = aggregator
      reply[#reply + 1] = width
      reply[#reply + 1] = align
      reply[#reply + 1] = closing
      reply[#reply + 1] = newest_bucket - width
    end
    if not open or newest_bucket > open then
      redis.call('HSET', rules_key, rules[i], string.format('%s %d %d %d', aggregator, width, align, newest_bucket))
    end
  end
end
