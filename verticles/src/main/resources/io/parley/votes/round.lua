-- round: the open round and who voted in it. Reply: nil when none is open, else
-- {round, userId...}. Cost: O(voters), for the small rooms of a poker session.
-- ARGV[3] room.
local k = keys_of(ARGV[3])
local round = redis.call('GET', k.round)
if not round then
  return nil
end
local reply = {round}
for _, user in ipairs(redis.call('HKEYS', k.ballots)) do
  reply[#reply + 1] = user
end
return reply
