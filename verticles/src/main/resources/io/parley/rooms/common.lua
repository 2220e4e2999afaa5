-- Prepended to every room script: RedisRoomStore loads "common.lua" followed by the script
-- as one script. It holds the key layout (documented on RedisRoomStore) and the rules of a
-- room's life, so that every script applies them the same way.
--
-- ARGV[1..6] are the same for every room script; a script's own arguments start at ARGV[7].
-- Times are the injected clock's (ARGV[2]), never Redis's: key TTLs only collect garbage.
-- Envelopes are never decoded here: they are text built from fragments Java encoded.

local prefix = ARGV[1]
local now = tonumber(ARGV[2])
local max_size = tonumber(ARGV[3])
local max_age = tonumber(ARGV[4])
local keep_when_empty = ARGV[5] == '1'
local gc_ttl = tonumber(ARGV[6])

local function keys_of(room)
  return {
    room = prefix .. 'room:' .. room,        -- hash {epoch, offset, lastTs}
    history = prefix .. 'history:' .. room,  -- list of "<ts>|<envelope json>", oldest first
    conns = prefix .. 'conns:' .. room,      -- hash connectionId -> userId
    users = prefix .. 'users:' .. room,      -- hash userId -> connections in the room
    names = prefix .. 'names:' .. room,      -- hash userId -> display name
    infos = prefix .. 'infos:' .. room,      -- hash userId -> info JSON (members that gave one)
    last = prefix .. 'last:' .. room,        -- string "<ts>|<envelope json>": the last server event
    chans = prefix .. 'chans:' .. room,      -- hash connectionId -> the channel it joined with, if it named one
  }
end

local function conn_key(conn) return prefix .. 'conn:' .. conn end               -- hash {node, inactive}
local function conn_rooms_key(conn) return prefix .. 'conn-rooms:' .. conn end   -- set of room names
local function node_conns_key(node) return prefix .. 'node-conns:' .. node end   -- set of connectionIds
local function occupied_key() return prefix .. 'occupied' end                    -- zset of rooms with members, scores 0

-- Drops the envelopes beyond max_size and those older than max_age.
local function prune(k)
  prune_history(k.history, max_size, max_age, now)
end

-- An empty room is kept only for its history, so it expires with it (garbage collection,
-- well after the injected clock has aged the history out); a member keeps it alive.
local function expire_if_empty(k)
  if redis.call('EXISTS', k.users) == 0 then
    redis.call('PEXPIRE', k.room, gc_ttl)
    redis.call('PEXPIRE', k.history, gc_ttl)
  end
end

-- Prunes the history; a room left with neither members nor history is gone, its epoch
-- with it, whether or not Redis has collected its keys yet. True when the room exists.
local function settle(k)
  prune(k)
  if redis.call('EXISTS', k.users) == 0 and redis.call('LLEN', k.history) == 0 then
    redis.call('DEL', k.room, k.history)
    return false
  end
  return redis.call('EXISTS', k.room) == 1
end

-- Removes one connection from one room (RoomStore.leave): {userId, name, vacated (1 when no
-- member is left), channel ('' for none)} when it was the user's last connection there, else
-- nil. The last member out takes the room with it unless the policy keeps rooms for their history.
local function leave_room(room, conn)
  local k = keys_of(room)
  local user = redis.call('HGET', k.conns, conn)
  if not user then
    return nil
  end
  redis.call('HDEL', k.conns, conn)
  local channel = redis.call('HGET', k.chans, conn) or ''
  redis.call('HDEL', k.chans, conn)
  local rooms_key = conn_rooms_key(conn)
  redis.call('SREM', rooms_key, room)
  if redis.call('EXISTS', rooms_key) == 0 then
    local node = redis.call('HGET', conn_key(conn), 'node')
    if node then
      redis.call('SREM', node_conns_key(node), conn)
    end
    redis.call('DEL', conn_key(conn))
  end
  local last = nil
  if redis.call('HINCRBY', k.users, user, -1) <= 0 then
    redis.call('HDEL', k.users, user)
    last = {user, redis.call('HGET', k.names, user) or '', 0, channel}
    redis.call('HDEL', k.names, user)
    redis.call('HDEL', k.infos, user)
  end
  if redis.call('EXISTS', k.users) == 0 then
    redis.call('ZREM', occupied_key(), room)
    if last then
      last[3] = 1
    end
    prune(k)
    if not keep_when_empty or redis.call('LLEN', k.history) == 0 then
      redis.call('DEL', k.room, k.history)
    else
      expire_if_empty(k)
    end
  end
  return last
end

