-- bad_duration(text, what, zero_allowed): an error reply naming the value
-- when `text` is not a whole number of milliseconds in [1 (or 0),
-- 315360000000] (ten years: redkit's kMaxLockDuration); nil when it is.
-- Scripts check every duration they take before their first write, so a bad
-- one (a client other than redkit's, a mistake) never leaves a key without
-- expiry or a score no later comparison can read.
local function bad_duration(text, what, zero_allowed)
  local value = tonumber(text)
  local low = zero_allowed and 0 or 1
  if not value or value ~= math.floor(value) or value < low or value > 315360000000 then
    return redis.error_reply(string.format('BADDURATION %s %s ms is not a whole number in [%d, 315360000000]',
      what, tostring(text), low))
  end
  return nil
end
