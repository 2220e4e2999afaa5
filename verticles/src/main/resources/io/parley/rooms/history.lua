-- history: every envelope after sinceOffset, or none at all, as one consistent snapshot.
-- Reply: {'missing'} when the room does not exist; {'lost', epoch} when the epoch differs or
-- the history no longer covers the gap; {'ok', epoch, envelope json...} otherwise.
-- ARGV[7] room, [8] '1' when an epoch is given, [9] that epoch, [10] sinceOffset.
local k = keys_of(ARGV[7])
if not settle(k) then
  return {'missing'}
end
local epoch = redis.call('HGET', k.room, 'epoch')
local offset = tonumber(redis.call('HGET', k.room, 'offset'))
local since = tonumber(ARGV[10])
if (ARGV[8] == '1' and ARGV[9] ~= epoch) or since > offset then
  return {'lost', epoch}
end
-- publish appends every offset and prune only drops from the head, so the list holds
-- exactly the offsets offset - len + 1 .. offset
local len = redis.call('LLEN', k.history)
local first_kept = offset - len + 1
if since + 1 < first_kept then
  return {'lost', epoch}
end
local reply = {'ok', epoch}
for _, entry in ipairs(redis.call('LRANGE', k.history, since + 1 - first_kept, -1)) do
  reply[#reply + 1] = string.sub(entry, string.find(entry, '|', 1, true) + 1)
end
return reply
