-- participant: records that a user took part in the room's session; 1 the first time.
-- ARGV[3] room, [4] userId, [5] garbage-collection TTL of a poker room's keys.
local k = keys_of(ARGV[3])
local added = redis.call('SADD', k.participants, ARGV[4])
keep_round_room(k, tonumber(ARGV[5]))
return added
