-- leave: removes a connection from a room; {userId, name, vacated, channel} when it was the
-- user's last connection there, else nil.
-- ARGV[7] room, [8] connectionId.
local last = leave_room(ARGV[7], ARGV[8])
if last then
  return last
end
return nil
