-- webhook_complete: removes a delivered (or given up) job, and its cancel key if that still
-- names it (RedisWebhookQueue.complete).
-- KEYS[1] the due set; ARGV[1] job key prefix, [2] cancel key prefix, [3] now, [4] id.
local job = ARGV[1] .. ARGV[4]
local key = redis.call('HGET', job, 'cancel')
if key and key ~= '' and redis.call('GET', ARGV[2] .. key) == ARGV[4] then
  redis.call('DEL', ARGV[2] .. key)
end
redis.call('DEL', job)
redis.call('ZREM', KEYS[1], ARGV[4])
return 1
