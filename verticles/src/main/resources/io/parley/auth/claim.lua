-- claim: binds a sessionId to a user, as one step. The value is "<userId>|<expiresAt>" (read
-- from the right, since a userId may contain '|'); expiry is decided by the injected clock
-- (ARGV[2]), the key's PX only collects garbage. Reply: 0 new (absent or expired), 1 resumed
-- (same user, refreshed), -1 another user's live session (nothing changes).
-- KEYS[1] session key; ARGV[1] userId, [2] now, [3] new expiresAt, [4] PX for garbage collection.
local current = redis.call('GET', KEYS[1])
local resumed = 0
if current then
  local owner, expires_at = string.match(current, '^(.*)|(%d+)$')
  if owner and tonumber(ARGV[2]) <= tonumber(expires_at) then
    if owner ~= ARGV[1] then
      return -1
    end
    resumed = 1
  end
end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[3], 'PX', ARGV[4])
return resumed
