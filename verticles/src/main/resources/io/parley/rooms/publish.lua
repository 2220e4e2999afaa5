-- publish: assigns the next offset, stamps ts (never below the last one), appends to the
-- history, trims it, and PUBLISHes the envelope on the delivery channel, as one step: every
-- subscriber sees a room's envelopes in offset order. Answers the envelope's JSON text.
-- ARGV[7] room, [8] epoch for the room if it has to be created,
-- [9] '"destination":..,"event":..,"data":..' encoded by Java, [10] ',"from":{..}' or '',
-- [11] delivery channel, [12] how long the last server event is kept (ms), [13] '1' for a server
-- event (RoomStore.isServerEvent), which is also kept as the room's last one, apart from the history.
local k = keys_of(ARGV[7])
settle(k)
if redis.call('EXISTS', k.room) == 0 then
  redis.call('HSET', k.room, 'epoch', ARGV[8], 'offset', 0, 'lastTs', 0)
end
local offset = redis.call('HINCRBY', k.room, 'offset', 1)
local ts = ARGV[2]
local last_ts = redis.call('HGET', k.room, 'lastTs')
if last_ts and tonumber(last_ts) > now then
  ts = last_ts
end
redis.call('HSET', k.room, 'lastTs', ts)
local epoch = redis.call('HGET', k.room, 'epoch')
local envelope = '{' .. ARGV[9] .. ',"ts":' .. ts .. ',"epoch":"' .. epoch .. '","offset":'
  .. string.format('%d', offset) .. ARGV[10] .. '}'
if max_size > 0 then
  redis.call('RPUSH', k.history, ts .. '|' .. envelope)
end
prune(k)
if redis.call('EXISTS', k.users) == 0 and redis.call('LLEN', k.history) == 0 then
  redis.call('DEL', k.room, k.history)
else
  expire_if_empty(k)
end
if ARGV[13] == '1' then
  redis.call('SET', k.last, ts .. '|' .. envelope, 'PX', tonumber(ARGV[12]) + gc_ttl)
end
-- 'E' and the room before the envelope: every node delivers the bytes without decoding them
-- (EncodedEnvelope)
redis.call('PUBLISH', ARGV[11], 'E' .. ARGV[7] .. '\n' .. envelope)
return envelope
