-- occupied: the rooms that have members and whose names start with ARGV[7] ('' for every
-- room), in name order, at most ARGV[8] of them, each with its number of users. Reply: {room,
-- users, room, users, ...}. Cost: O(log rooms + ARGV[8]); room names hold no byte above '~', so
-- '(' .. prefix .. '\255' bounds every name that starts with the prefix.
-- ARGV[7] name prefix, [8] limit.
local name_prefix, limit = ARGV[7], tonumber(ARGV[8])
local from, to = '-', '+'
if name_prefix ~= '' then
  from = '[' .. name_prefix
  to = '(' .. name_prefix .. '\255'
end
local reply = {}
for _, room in ipairs(redis.call('ZRANGEBYLEX', occupied_key(), from, to, 'LIMIT', 0, limit)) do
  reply[#reply + 1] = room
  reply[#reply + 1] = redis.call('HLEN', keys_of(room).users)
end
return reply
