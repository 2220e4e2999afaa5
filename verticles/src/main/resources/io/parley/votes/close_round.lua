-- close_round: if round is the open one, answers every user's option in it and clears the
-- votes, opening the next round (if given) in the same step. Reply: {0} when round is not the
-- open one; else {1, userId, option, userId, option, ...}.
-- ARGV[3] room, [4] round, [5] next round or '', [6] garbage-collection TTL.
local k = keys_of(ARGV[3])
if redis.call('GET', k.round) ~= ARGV[4] then
  return {0}
end
local reply = {1}
local ballots = redis.call('HGETALL', k.ballots)
for i = 1, #ballots, 2 do
  local _, _, option = parse_ballot(ballots[i + 1])
  reply[#reply + 1] = ballots[i]
  reply[#reply + 1] = option
end
redis.call('DEL', k.ballots, k.counts)
if ARGV[5] ~= '' then
  redis.call('SET', k.round, ARGV[5])
  keep_round_room(k, tonumber(ARGV[6]))
else
  redis.call('DEL', k.round)
end
return reply
