-- withdraw: removes a user's vote if it was stored no later than when they left, moving the
-- counts in the same step; 1 when a vote was removed. Repeating it changes nothing.
-- ARGV[3] room, [4] userId, [5] leftAt (injected clock millis).
local k = keys_of(ARGV[3])
local stored = redis.call('HGET', k.ballots, ARGV[4])
if not stored then
  return 0
end
local _, stored_at, option = parse_ballot(stored)
if stored_at > tonumber(ARGV[5]) then
  return 0
end
redis.call('HDEL', k.ballots, ARGV[4])
uncount(k, option)
return 1
