-- state: the room's stream position and members, or nil when it has neither members nor
-- history. Reply: {epoch, offset, lastTs, then userId, name, connections, active ('1'/'0'),
-- info JSON ('' for none) for each user}. Cost: O(connections in the room).
-- ARGV[7] room.
local k = keys_of(ARGV[7])
if not settle(k) then
  return nil
end
local meta = redis.call('HMGET', k.room, 'epoch', 'offset', 'lastTs')
local reply = {meta[1], meta[2], meta[3]}
local active = {}
local conns = redis.call('HGETALL', k.conns)
for i = 1, #conns, 2 do
  if redis.call('HGET', conn_key(conns[i]), 'inactive') ~= '1' then
    active[conns[i + 1]] = true
  end
end
local users = redis.call('HGETALL', k.users)
for i = 1, #users, 2 do
  local user = users[i]
  reply[#reply + 1] = user
  reply[#reply + 1] = redis.call('HGET', k.names, user) or ''
  reply[#reply + 1] = users[i + 1]
  reply[#reply + 1] = active[user] and '1' or '0'
  reply[#reply + 1] = redis.call('HGET', k.infos, user) or ''
end
return reply
