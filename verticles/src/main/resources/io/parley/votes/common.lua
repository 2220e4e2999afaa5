-- Prepended to every votes script: RedisVoteStore loads "common.lua" followed by the script
-- as one script. It holds the key layout (documented on RedisVoteStore) and the helpers every
-- script shares, so each applies them the same way.
--
-- ARGV[1] is the key prefix, ARGV[2] the injected clock's time (never Redis's: key TTLs only
-- collect garbage); a script's own arguments start at ARGV[3], the first being the room.

local prefix = ARGV[1]
local now = tonumber(ARGV[2])

local function keys_of(room)
  return {
    ballots = prefix .. 'votes:ballots:' .. room,   -- hash userId -> "<ts>|<storedAt>|<option>"
    counts = prefix .. 'votes:counts:' .. room,     -- hash option -> users voting it (no zeros)
    history = prefix .. 'votes:history:' .. room,   -- list of "<ts>|<tick json>", oldest first
    meta = prefix .. 'votes:meta:' .. room,         -- hash {lastTick}
    round = prefix .. 'votes:round:' .. room,       -- string: the open round (poker task)
    participants = prefix .. 'votes:participants:' .. room,  -- set of userIds
  }
end

local active_key = prefix .. 'votes:active'         -- set of rooms to tick

-- A stored ballot: the client's ts, when the store took it, the option (which may hold anything).
local function parse_ballot(text)
  local ts, stored_at, option = string.match(text, '^(%d+)|(%d+)|(.*)$')
  return tonumber(ts), tonumber(stored_at), option
end

local function uncount(k, option)
  if redis.call('HINCRBY', k.counts, option, -1) <= 0 then
    redis.call('HDEL', k.counts, option)
  end
end

-- Drops the ticks beyond max_size and those older than max_age (by the injected clock).
local function prune(k, max_size, max_age)
  prune_history(k.history, max_size, max_age, now)
end

-- Keeps a poker room's keys for gc_ttl after its last change (an abandoned session goes).
local function keep_round_room(k, gc_ttl)
  for _, key in ipairs({k.ballots, k.counts, k.round, k.participants}) do
    redis.call('PEXPIRE', key, gc_ttl)
  end
end

