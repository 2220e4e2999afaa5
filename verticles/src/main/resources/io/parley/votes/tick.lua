-- tick: one tally of a room, appended to its bounded history. Reads one count per option
-- (HMGET), never the ballots: O(options) whatever the number of voters. Nil when the room
-- already has a tick at ts or later (so an interval is never appended twice); else
-- {tick json, idle}, idle 1 when the room had no votes and nobody connected and so left the
-- active set, in this same step.
-- ARGV[3] room, [4] ts, [5] connected, [6] history max size, [7] history max age,
-- [8] garbage-collection TTL of the history, [9..] the options in order.
local room, ts_text, connected_text = ARGV[3], ARGV[4], ARGV[5]
local k = keys_of(room)
local last = redis.call('HGET', k.meta, 'lastTick')
if last and tonumber(last) >= tonumber(ts_text) then
  return nil
end
local options = {}
for i = 9, #ARGV do
  options[#options + 1] = ARGV[i]
end
local counts = redis.call('HMGET', k.counts, unpack(options))
local parts = {}
for i, option in ipairs(options) do
  parts[i] = cjson.encode(option) .. ':' .. (counts[i] or '0')
end
local entry = '{"ts":' .. ts_text .. ',"votes":{' .. table.concat(parts, ',') .. '},"connected":' .. connected_text .. '}'
local max_size, max_age, gc_ttl = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
if max_size > 0 then
  redis.call('RPUSH', k.history, ts_text .. '|' .. entry)
end
prune(k, max_size, max_age)
redis.call('PEXPIRE', k.history, gc_ttl)
redis.call('HSET', k.meta, 'lastTick', ts_text)
redis.call('PEXPIRE', k.meta, gc_ttl)
local idle = 0
if redis.call('EXISTS', k.counts) == 0 and tonumber(connected_text) == 0 then
  redis.call('SREM', active_key, room)
  idle = 1
end
return {entry, idle}
