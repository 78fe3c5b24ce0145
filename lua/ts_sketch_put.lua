-- Stores a percentile rule's bucket sketches beside its destination, each
-- replacing the one stored for its bucket, and drops those of buckets older
-- than the destination keeps (lib/ts_bounds.lua) once these buckets are
-- added, so the sketches expire with the samples they describe.
--
-- KEYS[1]  metadata hash  <prefix>ts:{NAME} of the destination
-- KEYS[2]  sketches zset  <prefix>ts:{NAME}:sketch: score the bucket start,
--          member the start as 8 bytes (big-endian) and the sketch, so two
--          buckets with equal sketches stay two members
-- ARGV[1]  'replace', or 'keep': a bucket that has a sketch keeps it (a
--          backfill's slice, which the rule's newer computation overrides)
-- ARGV[2..] bucket start, member, bucket start, member, ...
-- returns  1, or 0 when the destination no longer exists (nothing stored)
--! include ts_bounds
local meta = KEYS[1]
if redis.call('EXISTS', meta) == 0 then
  return 0
end
local keep = ARGV[1] == 'keep'
for i = 2, #ARGV, 2 do
  if not (keep and redis.call('ZCOUNT', KEYS[2], ARGV[i], ARGV[i]) > 0) then
    redis.call('ZREMRANGEBYSCORE', KEYS[2], ARGV[i], ARGV[i])
    redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
  end
end
-- The buckets are added to the destination right after: judge by the
-- newest of them as the destination will.
local state = redis.call('HMGET', meta, 'floor', 'last', 'ret')
local last = tonumber(state[2])
for i = 2, #ARGV, 2 do
  local start = tonumber(ARGV[i])
  if not last or start > last then
    last = start
  end
end
local kept = kept_from(state[1], last, state[3])
if kept then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('(%d', kept))
end
return 1
