-- bad_durations(list): an error reply naming the first value of `list`
-- ({text, what[, zero_allowed]} entries) that is not a whole number of
-- milliseconds in [1 (or 0), 315360000000] (ten years: redkit's
-- kMaxLockDuration); nil when all are. Scripts check every duration they
-- take before their first write, so a bad one (a client other than redkit's,
-- a mistake) never leaves a key without expiry or a score no later
-- comparison can read.
local function bad_durations(list)
  for _, entry in ipairs(list) do
    local text, what, zero_allowed = entry[1], entry[2], entry[3]
    local value = tonumber(text)
    local low = zero_allowed and 0 or 1
    if not value or value ~= math.floor(value) or value < low or value > 315360000000 then
      return redis.error_reply(string.format('BADDURATION %s %s ms is not a whole number in [%d, 315360000000]',
        what, tostring(text), low))
    end
  end
  return nil
end
