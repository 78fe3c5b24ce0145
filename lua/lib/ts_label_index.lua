-- index_labels(index_prefix, name, pairs, from, command): runs SADD or SREM
-- of the series `name` on the index sets of each label in pairs[from..]
-- (name, value, name, value, ...): <index_prefix>label:NAME=VALUE and
-- <index_prefix>key:NAME.
local function index_labels(index_prefix, name, pairs, from, command)
  for i = from, #pairs, 2 do
    redis.call(command, index_prefix .. 'label:' .. pairs[i] .. '=' .. pairs[i + 1], name)
    redis.call(command, index_prefix .. 'key:' .. pairs[i], name)
  end
end
