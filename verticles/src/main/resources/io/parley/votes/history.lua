-- history: the room's ticks after sinceTs (exclusive), oldest first, after dropping those
-- past the size and age bounds. Reply: the tick JSON texts.
-- ARGV[3] room, [4] sinceTs, [5] history max size, [6] history max age.
local k = keys_of(ARGV[3])
prune(k, tonumber(ARGV[5]), tonumber(ARGV[6]))
local since = tonumber(ARGV[4])
local reply = {}
for _, item in ipairs(redis.call('LRANGE', k.history, 0, -1)) do
  local bar = string.find(item, '|', 1, true)
  if tonumber(string.sub(item, 1, bar - 1)) > since then
    reply[#reply + 1] = string.sub(item, bar + 1)
  end
end
return reply
