-- join: adds a connection to a room. Reply {first, occupied}: first 1 when it is the user's
-- first connection there, occupied 1 when the room had no member before it.
-- ARGV[7] room, [8] connectionId, [9] userId, [10] name, [11] nodeId ('' for none),
-- [12] epoch for the room if it has to be created, [13] the member's info JSON ('' for none),
-- [14] channel ('' for none).
local room, conn, user, name, node, channel = ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[14]
local k = keys_of(room)
settle(k)
if redis.call('HSETNX', k.conns, conn, user) == 0 then
  return {0, 0}
end
if channel ~= '' then
  redis.call('HSET', k.chans, conn, channel)
end
local occupied = redis.call('EXISTS', k.users) == 0 and 1 or 0
if redis.call('EXISTS', k.room) == 0 then
  redis.call('HSET', k.room, 'epoch', ARGV[12], 'offset', 0, 'lastTs', 0)
end
redis.call('PERSIST', k.room)
redis.call('PERSIST', k.history)
redis.call('SADD', conn_rooms_key(conn), room)
redis.call('ZADD', occupied_key(), 0, room)
if node ~= '' then
  local ck = conn_key(conn)
  local previous = redis.call('HGET', ck, 'node')
  if previous and previous ~= node then
    redis.call('SREM', node_conns_key(previous), conn)
  end
  redis.call('HSET', ck, 'node', node)
  redis.call('SADD', node_conns_key(node), conn)
end
if redis.call('HINCRBY', k.users, user, 1) == 1 then
  redis.call('HSET', k.names, user, name)
  if ARGV[13] ~= '' then
    redis.call('HSET', k.infos, user, ARGV[13])
  end
  return {1, occupied}
end
return {0, 0}
