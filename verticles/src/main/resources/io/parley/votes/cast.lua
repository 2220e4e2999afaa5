-- cast: records a user's vote unless it is older than their stored one, moving the counts in
-- the same step. Reply: {outcome, round} with outcome 'accepted', 'stale', 'no-round' or
-- 'other-round', and round the open round ('' for a tallied room or none open).
-- ARGV[3] room, [4] userId, [5] option, [6] ts, [7] 'tally' (a votes room: becomes active)
-- or 'round' (a poker room: needs an open round), [8] the round the caller expects or '',
-- [9] garbage-collection TTL of a poker room's keys.
local room, user, option, ts_text = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local k = keys_of(room)
local round = ''
if ARGV[7] == 'round' then
  round = redis.call('GET', k.round)
  if not round then
    return {'no-round', ''}
  end
  if ARGV[8] ~= '' and ARGV[8] ~= round then
    return {'other-round', round}
  end
end
local previous = redis.call('HGET', k.ballots, user)
if previous then
  local previous_ts, _, previous_option = parse_ballot(previous)
  if tonumber(ts_text) < previous_ts then
    return {'stale', round}
  end
  uncount(k, previous_option)
end
redis.call('HSET', k.ballots, user, ts_text .. '|' .. ARGV[2] .. '|' .. option)
redis.call('HINCRBY', k.counts, option, 1)
if ARGV[7] == 'tally' then
  redis.call('SADD', active_key, room)
else
  keep_round_room(k, tonumber(ARGV[9]))
end
return {'accepted', round}
