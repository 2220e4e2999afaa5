-- open_round: opens a round (a poker task), clearing every vote and count.
-- ARGV[3] room, [4] round, [5] garbage-collection TTL of a poker room's keys.
local k = keys_of(ARGV[3])
redis.call('DEL', k.ballots, k.counts)
redis.call('SET', k.round, ARGV[4])
keep_round_room(k, tonumber(ARGV[5]))
return 1
