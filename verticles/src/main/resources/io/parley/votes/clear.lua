-- clear: forgets everything about a room (a poker session ended).
-- ARGV[3] room.
local k = keys_of(ARGV[3])
redis.call('DEL', k.ballots, k.counts, k.history, k.meta, k.round, k.participants)
redis.call('SREM', active_key, ARGV[3])
return 1
