-- evict: claims one node whose lease ran out and takes every connection it held out of
-- every room, as leave would. Only the caller whose script removes the node from the lease
-- set gets its departures, so a dead node is evicted once whichever nodes ask; a node that
-- renewed since the caller looked is left alone. Reply: {room, connectionId, userId, name,
-- vacated, channel} for each user whose last connection in a room that was, flattened. The evicted node's
-- mark tells it, at its next renewal, that it was declared dead (a lease that is merely
-- missing, as after a Redis restart, is not an eviction).
-- ARGV[7] nodeId, [8] how long the mark waits for that renewal (ms).
local nodes = prefix .. 'nodes'
local node = ARGV[7]
local expiry = redis.call('ZSCORE', nodes, node)
if not expiry or tonumber(expiry) > now then
  return {}
end
redis.call('ZREM', nodes, node)
redis.call('SET', prefix .. 'evicted:' .. node, now, 'PX', ARGV[8])
local departures = {}
local node_conns = node_conns_key(node)
for _, conn in ipairs(redis.call('SMEMBERS', node_conns)) do
  for _, room in ipairs(redis.call('SMEMBERS', conn_rooms_key(conn))) do
    local last = leave_room(room, conn)
    if last then
      departures[#departures + 1] = room
      departures[#departures + 1] = conn
      for _, field in ipairs(last) do
        departures[#departures + 1] = field
      end
    end
  end
end
redis.call('DEL', node_conns)
return departures
