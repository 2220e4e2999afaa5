-- set_active: marks a connection (every room presence of it) active or not. A connection
-- that is in no room is not recorded, as it would outlive the connection.
-- ARGV[7] connectionId, [8] '1' active / '0' inactive.
local ck = conn_key(ARGV[7])
if ARGV[8] == '1' then
  redis.call('HDEL', ck, 'inactive')
elseif redis.call('EXISTS', conn_rooms_key(ARGV[7])) == 1 then
  redis.call('HSET', ck, 'inactive', '1')
end
return 1
