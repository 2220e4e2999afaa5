-- A bounded history, shared by every Redis store's scripts (RedisScript puts this first): a
-- list of "<ts>|<entry>" strings, oldest first. Keeps at most max_size entries and none older
-- than max_age at now, all times in millis from the caller's injected clock.
local function prune_history(key, max_size, max_age, now)
  if max_size <= 0 then
    redis.call('DEL', key)
    return
  end
  redis.call('LTRIM', key, -max_size, -1)
  while true do
    local head = redis.call('LINDEX', key, 0)
    if not head then
      return
    end
    local ts = tonumber(string.match(head, '^(%d+)|'))
    if ts and now - ts <= max_age then
      return
    end
    redis.call('LPOP', key)
  end
end

