-- revoke: records a revocation time for a user, never lowering the one recorded.
-- KEYS[1] the revocations hash; ARGV[1] userId, [2] revoked-at millis.
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current or tonumber(ARGV[2]) > tonumber(current) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
